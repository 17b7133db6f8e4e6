package haven.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a new user meets first: help on every command, and a port in use said in one line. */
class FirstMinutesTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HavenCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void collect(CommandLine command, List<String> prefix, List<List<String>> into) {
        into.add(prefix);
        command.getSubcommands().forEach((name, sub) -> {
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            collect(sub, path, into);
        });
    }

    @Test
    void everyCommandAnswersHelpWithUsageAndExitZero() {
        List<List<String>> commands = new ArrayList<>();
        collect(HavenCli.commandLine(), List.of(), commands);
        assertTrue(commands.contains(List.of("user", "add")) && commands.contains(List.of("export")), commands.toString());
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), args + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: haven"), args + ": " + r.out());
            assertFalse((r.out() + r.err()).contains("Unknown option"), args + ": " + r.err());
        }
    }

    @Test
    void theTopLevelHelpListsExport() {
        assertTrue(run("--help").out().contains("export"));
    }

    @Test
    void aPortInUseIsOneLineNamingThePortAndTheOption(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Run r = run("demo", "--rooms", "1", "--http-port", String.valueOf(port), "--mqtt-port", "0", "--data", dir.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("port " + port) && r.err().contains("--http-port"), r.err());

            Run broker = run("demo", "--rooms", "1", "--http-port", "0", "--mqtt-port", String.valueOf(port), "--data", dir.toString());
            assertEquals(2, broker.exit(), broker.err());
            assertTrue(broker.err().contains("port " + port) && broker.err().contains("--mqtt-port"), broker.err());
        }
    }
}
