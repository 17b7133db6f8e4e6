package haven.bench;

import haven.testkit.Mosquitto;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The benchmarks at toy size: they run end to end and print figures. The figures themselves mean nothing here. */
class BenchSmokeTest {
    private static final String MS = "\\d+\\.\\d+ ms";

    @BeforeAll
    static void needsMosquittoAndKeepsTheTestLog() {
        if (!Mosquitto.available() && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("needs Debian's mosquitto at " + Mosquitto.BINARY);
        }
        // Keep other tests' log lines where surefire collects them rather than in the bench's temp folder.
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        }
    }

    private static String run(String... args) {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(new PrintWriter(text, true));
        int code = cli.execute(args);
        assertEquals(0, code, text.toString());
        return text.toString();
    }

    @Test
    void latencyAtToySizePrintsPressAndRawPercentilesAndTheirRatio(@TempDir Path dir) {
        String out = run("latency", "--hubs", "4", "--full-hubs", "2", "--presses", "5", "--warmup", "1",
                "--data", dir.toString());
        assertTrue(Pattern.compile("press -> dashboard frame\\s+n=5 p50=" + MS + " p99=" + MS + " max=" + MS).matcher(out).find(), out);
        assertTrue(Pattern.compile("raw paho pub -> sub \\(QoS 1\\)\\s+n=5 p50=" + MS).matcher(out).find(), out);
        assertTrue(Pattern.compile("ratio haven/raw: p50=\\d+\\.\\dx p99=\\d+\\.\\dx").matcher(out).find(), out);
        assertTrue(Pattern.compile("floor \\(raw \\+ 2 commits \\+ HTTP\\) n=5 p50=" + MS + " p99=" + MS).matcher(out).find(), out);
        assertTrue(Pattern.compile("ratio haven/floor: p50=\\d+\\.\\dx p99=\\d+\\.\\dx").matcher(out).find(), out);
    }

    @Test
    void notifyAtToySizePrintsPressToEmailAndPressToPushPercentiles(@TempDir Path dir) {
        String out = run("notify", "--hubs", "4", "--full-hubs", "2", "--presses", "5", "--warmup", "1",
                "--data", dir.toString());
        assertTrue(Pattern.compile("press -> e-mail accepted by SMTP\\s+n=5 p50=" + MS + " p99=" + MS).matcher(out).find(), out);
        assertTrue(Pattern.compile("press -> push request received\\s+n=5 p50=" + MS).matcher(out).find(), out);
    }

    @Test
    void ingestAtToySizePrintsBothRatesAndTheRatio(@TempDir Path dir) {
        String out = run("ingest", "--events", "60", "--rooms", "6", "--publishers", "2", "--window", "10",
                "--what-if", "1,8", "--what-if-events", "40", "--data", dir.toString());
        assertTrue(Pattern.compile("raw QoS 1 pub -> sub\\s+60 msgs in \\d+\\.\\d+ s = \\d+ msg/s").matcher(out).find(), out);
        assertTrue(Pattern.compile("haven ingest commit \\+ push\\s+60 events in \\d+\\.\\d+ s = \\d+ events/s").matcher(out).find(), out);
        assertTrue(Pattern.compile("ratio haven/raw = \\d+\\.\\d% whole run").matcher(out).find(), out);
        assertTrue(Pattern.compile("what if:\\s+8 events per commit.*: \\d+ events/s, \\d+ us CPU per event").matcher(out).find(), out);
    }

    @Test
    void ingestWithPrefillPrintsTheEmptyAndThePrefilledFigureSideBySide(@TempDir Path dir) {
        String out = run("ingest", "--events", "40", "--rooms", "4", "--publishers", "2", "--window", "10",
                "--prefill", "500", "--what-if", "1", "--what-if-events", "20", "--data", dir.toString());
        assertTrue(Pattern.compile("prefill: 500 events over the same 4 rooms built in \\d+\\.\\d s; chain verifies \\(500 rows").matcher(out).find(), out);
        assertTrue(Pattern.compile("haven ingest, prefilled log\\s+40 events in \\d+\\.\\d+ s = \\d+ events/s.*accepted=40 duplicates=0 rejected=0").matcher(out).find(), out);
        assertTrue(Pattern.compile("empty log vs 500-event log: \\d+ vs \\d+ events/s whole run").matcher(out).find(), out);
    }

    @Test
    void soakAtToySizeAccountsForEveryEventAndPrintsAMinuteLine(@TempDir Path dir) {
        String out = run("soak", "--hubs", "6", "--full-hubs", "4", "--minutes", "0.15", "--tick-ms", "300",
                "--data", dir.toString());
        assertTrue(Pattern.compile("broker restarted \\(down \\d+\\.\\d+ s\\)").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^\\s+1\\s+\\d+\\s+\\d+\\.\\d+\\s+\\d+\\.\\d+").matcher(out).find(), out);
        assertTrue(out.contains("lost=0 doubled=0 not-from-an-outbox=0 -> nothing lost, nothing doubled"), out);
    }

    @Test
    void footprintAtToySizePrintsRssFlatnessAndTheTargets(@TempDir Path dir) {
        String out = run("footprint", "--minutes", "0.2", "--press-every-s", "6", "--sample-every-s", "1", "--data", dir.toString());
        assertTrue(Pattern.compile("RSS over the last half \\(from \\d+ s\\): \\d+\\.\\d -> \\d+\\.\\d MiB").matcher(out).find(), out);
        assertTrue(Pattern.compile("target \\(issue 20\\): RSS <= 100 MiB -> end \\d+\\.\\d MiB").matcher(out).find(), out);
    }

    @Test
    void helpNamesEveryFlagTheTargetsUse() {
        String top = run("--help");
        for (String flag : new String[] {"soak", "--prefill", "--minutes", "--cds", "--jar"}) {
            assertTrue(top.contains(flag), flag + " missing from bench --help:\n" + top);
        }
        assertTrue(run("ingest", "--help").contains("--prefill"));
        String soak = run("soak", "--help");
        for (String flag : new String[] {"--hubs", "--full-hubs", "--minutes", "--tick-ms", "--no-broker-restart"}) {
            assertTrue(soak.contains(flag), flag + " missing from bench soak --help:\n" + soak);
        }
        String footprint = run("footprint", "--help");
        for (String flag : new String[] {"--minutes", "--jar", "--cds", "--jvm-flag"}) {
            assertTrue(footprint.contains(flag), flag + " missing from bench footprint --help:\n" + footprint);
        }
    }

    @Test
    void outboxAtToySizeDeliversEveryEventAndPrintsBothFigures(@TempDir Path dir) {
        String out = run("outbox", "--spaced", "5", "--spaced-ms", "5", "--burst", "40", "--data", dir.toString());
        assertTrue(Pattern.compile("append -> arrival, spaced\\s+n=5 p50=" + MS).matcher(out).find(), out);
        assertTrue(Pattern.compile("backlog of 40: acknowledged and marked sent \\d+\\.\\d+ s .*arrived=45").matcher(out).find(), out);
    }
}
