package haven.cli;

import haven.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the one jar: both roles, the demo and the admin commands. */
@Command(name = "haven", mixinStandardHelpOptions = true, version = "haven 0.1.0",
        description = "Classroom e-safety kiosk and supervision hub.",
        subcommands = {DemoCommand.class, HubCommand.class, CoordinatorCommand.class, VerifyLogCommand.class, AupCommand.class,
                ExportCommand.class, UserCommand.class, ProvisionHubCommand.class, haven.bench.BenchCommand.class,
                NotifyTestCommand.class})
public final class HavenCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line; user mistakes print one clear line, not a stack trace. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new HavenCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("haven: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
