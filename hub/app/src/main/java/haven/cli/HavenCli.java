package haven.cli;

import haven.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the one jar: both roles, the demo and the admin commands. */
@Command(name = "haven", mixinStandardHelpOptions = true, version = "haven 0.1.0",
        description = "Classroom e-safety kiosk and supervision hub.",
        subcommands = {DemoCommand.class, HubCommand.class, CoordinatorCommand.class, VerifyLogCommand.class, AupCommand.class,
                ExportCommand.class, UserCommand.class, ProvisionHubCommand.class, NotifyTestCommand.class, FilterCheckCommand.class,
                RebuildProjectionsCommand.class, VerifyBundleCommand.class})
public final class HavenCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        // Moquette's Netty would otherwise use sun.misc.Unsafe, and JDK 24+ warns about that on every start.
        System.setProperty("io.netty.noUnsafe", "true");
        System.exit(run(args));
    }

    /**
     * The command tree: every command and subcommand answers --help and --version, and user mistakes
     * (a bad config, a port in use, a wrong argument) print one clear line and exit 2, not a stack trace.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HavenCli());
        withHelp(cli);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("haven: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    private static void withHelp(CommandLine command) {
        if (command.getCommandSpec().optionsMap().get("--help") == null) {
            command.getCommandSpec().mixinStandardHelpOptions(true);
        }
        command.getSubcommands().values().forEach(HavenCli::withHelp);
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }
}
