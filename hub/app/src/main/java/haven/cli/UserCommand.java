package haven.cli;

import haven.coordinator.Role;
import haven.coordinator.StaffAccounts;
import haven.store.Database;
import java.io.Console;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", description = "Manage staff accounts.",
        subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.Disable.class})
final class UserCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: haven user add|passwd|disable ... [--config coordinator.yaml | --db FILE]");
    }

    @Command(name = "add", description = "Add (or reset) a staff account. The password is read from the terminal or stdin.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--role", required = true, description = "coordinator, head, senior, teacher, technician, governor or chair (chair of governors)")
        String role;

        @Mixin
        CoordinatorDatabase target;

        @Option(names = "--rooms", split = ",", description = "for teachers: site/room,... they look after")
        java.util.List<String> rooms = java.util.List.of();

        @Parameters(index = "0", description = "account name")
        String name;

        @Override
        public Integer call() throws Exception {
            Role r = Role.fromWire(role).orElseThrow(() -> new IllegalArgumentException(
                    "--role must be one of coordinator, head, senior, teacher, technician, governor, chair; got '" + role + "'"));
            java.util.Set<haven.protocol.RoomId> assigned = new java.util.HashSet<>();
            for (String pair : rooms) {
                String[] parts = pair.split("/", -1);
                if (parts.length != 2) {
                    throw new IllegalArgumentException("--rooms entries must be site/room, got '" + pair + "'");
                }
                assigned.add(new haven.protocol.RoomId(parts[0], parts[1]));
            }
            char[] password = readPassword();
            try (Database database = target.open()) {
                StaffAccounts accounts = new StaffAccounts(database, Clock.systemUTC());
                accounts.put(name, r, password);
                accounts.assignRooms(name, assigned);
            } finally {
                Arrays.fill(password, ' ');
            }
            System.out.println("staff account " + name + " saved with role " + r.wire()
                    + (assigned.isEmpty() ? "" : " for rooms " + rooms));
            return 0;
        }
    }

    @Command(name = "passwd", description = "Set a new password (read from the terminal or stdin).")
    static final class Passwd implements Callable<Integer> {
        @Mixin
        CoordinatorDatabase target;

        @Parameters(index = "0", description = "account name")
        String name;

        @Override
        public Integer call() throws Exception {
            char[] password = readPassword();
            try (Database database = target.open()) {
                if (!new StaffAccounts(database, Clock.systemUTC()).password(name, password)) {
                    throw new IllegalArgumentException("no staff account called '" + name + "'");
                }
            } finally {
                Arrays.fill(password, ' ');
            }
            System.out.println("password changed for " + name);
            return 0;
        }
    }

    @Command(name = "disable", description = "Disable an account (kept for the audit trail).")
    static final class Disable implements Callable<Integer> {
        @Mixin
        CoordinatorDatabase target;

        @Parameters(index = "0", description = "account name")
        String name;

        @Override
        public Integer call() throws Exception {
            try (Database database = target.open()) {
                if (!new StaffAccounts(database, Clock.systemUTC()).disable(name)) {
                    throw new IllegalArgumentException("no staff account called '" + name + "'");
                }
            }
            System.out.println("account " + name + " disabled; its sessions end at their next request");
            return 0;
        }
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
