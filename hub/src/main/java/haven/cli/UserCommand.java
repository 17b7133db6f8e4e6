package haven.cli;

import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.StaffAccounts;
import haven.store.Database;
import java.io.Console;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", description = "Manage staff accounts.", subcommands = {UserCommand.Add.class})
final class UserCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: haven user add --role ROLE NAME [--config coordinator.yaml | --db FILE]");
    }

    @Command(name = "add", description = "Add (or reset) a staff account. The password is read from the terminal or stdin.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--role", required = true, description = "coordinator, head, senior, teacher, technician or governor")
        String role;

        @Option(names = "--config", description = "coordinator.yaml (to find the database)")
        Path config;

        @Option(names = "--db", description = "coordinator SQLite file (instead of --config)")
        Path db;

        @Parameters(index = "0", description = "account name")
        String name;

        @Override
        public Integer call() throws Exception {
            Role r = Role.fromWire(role).orElseThrow(() -> new IllegalArgumentException(
                    "--role must be one of coordinator, head, senior, teacher, technician, governor; got '" + role + "'"));
            Path file = db != null ? db : config != null ? CoordinatorConfig.from(ConfigFile.load(config)).database() : null;
            if (file == null) {
                throw new IllegalArgumentException("give --config coordinator.yaml or --db FILE");
            }
            char[] password = readPassword();
            try (Database database = Database.open(file, "/haven/store/coordinator")) {
                new StaffAccounts(database, Clock.systemUTC()).put(name, r, password);
            } finally {
                Arrays.fill(password, ' ');
            }
            System.out.println("staff account " + name + " saved with role " + r.wire());
            return 0;
        }

        private static char[] readPassword() throws java.io.IOException {
            Console console = System.console();
            if (console != null) {
                return console.readPassword("password (10+ characters): ");
            }
            String line = new BufferedReader(new InputStreamReader(System.in)).readLine();
            if (line == null) {
                throw new IllegalArgumentException("no password given on stdin");
            }
            return line.toCharArray();
        }
    }
}
