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
        subcommands = {UserCommand.Add.class, UserCommand.ChangeRole.class, UserCommand.ChangeRooms.class, UserCommand.Passwd.class,
                UserCommand.Disable.class, UserCommand.TotpReset.class})
final class UserCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: haven user add|role|rooms|passwd|disable|totp-reset ... [--config coordinator.yaml | --db FILE]");
    }

    @Command(name = "add", description = "Add a new staff account (an existing name is refused: use 'haven user role' or"
            + " 'haven user rooms' to change one). The password is read from the terminal or stdin.")
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
            Role r = role(role);
            java.util.Set<haven.protocol.RoomId> assigned = rooms(rooms);
            char[] password = readPassword();
            try (Database database = target.open()) {
                new StaffAccounts(database, Clock.systemUTC()).add(StaffAccounts.COMMAND_LINE, name, r, assigned, password);
            } catch (StaffAccounts.Refused e) {
                throw new IllegalArgumentException(e.getMessage() + ". To change its role: haven user role " + name
                        + " ROLE; its rooms: haven user rooms " + name + " --rooms site/room,...");
            } finally {
                Arrays.fill(password, ' ');
            }
            System.out.println("staff account " + name + " saved with role " + r.wire()
                    + (assigned.isEmpty() ? "" : " for rooms " + rooms));
            return 0;
        }
    }

    @Command(name = "role", description = "Change the role of an existing account; its sessions end at once.")
    static final class ChangeRole implements Callable<Integer> {
        @Mixin
        CoordinatorDatabase target;

        @Parameters(index = "0", description = "account name")
        String name;

        @Parameters(index = "1", description = "coordinator, head, senior, teacher, technician, governor or chair")
        String role;

        @Override
        public Integer call() throws Exception {
            Role r = role(role);
            try (Database database = target.open()) {
                new StaffAccounts(database, Clock.systemUTC()).changeRole(StaffAccounts.COMMAND_LINE, name, r);
            }
            System.out.println("role of " + name + " changed to " + r.wire() + "; its sessions end at their next request");
            return 0;
        }
    }

    @Command(name = "rooms", description = "Replace the rooms an existing account looks after; its sessions end at once.")
    static final class ChangeRooms implements Callable<Integer> {
        @Mixin
        CoordinatorDatabase target;

        @Option(names = "--rooms", split = ",", description = "site/room,... (none: no rooms)")
        java.util.List<String> rooms = java.util.List.of();

        @Parameters(index = "0", description = "account name")
        String name;

        @Override
        public Integer call() throws Exception {
            java.util.Set<haven.protocol.RoomId> assigned = rooms(rooms);
            try (Database database = target.open()) {
                new StaffAccounts(database, Clock.systemUTC()).changeRooms(StaffAccounts.COMMAND_LINE, name, assigned);
            }
            System.out.println("rooms of " + name + (assigned.isEmpty() ? " cleared" : " set to " + rooms));
            return 0;
        }
    }

    private static Role role(String text) {
        return Role.fromWire(text).orElseThrow(() -> new IllegalArgumentException(
                "role must be one of coordinator, head, senior, teacher, technician, governor, chair; got '" + text + "'"));
    }

    private static java.util.Set<haven.protocol.RoomId> rooms(java.util.List<String> pairs) {
        java.util.Set<haven.protocol.RoomId> assigned = new java.util.HashSet<>();
        for (String pair : pairs) {
            String[] parts = pair.split("/", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("--rooms entries must be site/room, got '" + pair + "'");
            }
            assigned.add(new haven.protocol.RoomId(parts[0], parts[1]));
        }
        return assigned;
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

    @Command(name = "totp-reset", description = "Forget an account's second factor (a lost phone, no recovery codes left): "
            + "its next login enrols a new one.")
    static final class TotpReset implements Callable<Integer> {
        @Mixin
        CoordinatorDatabase target;

        @Parameters(index = "0", description = "account name")
        String name;

        @Override
        public Integer call() throws Exception {
            try (Database database = target.open()) {
                if (!new haven.coordinator.SecondFactor(database, Clock.systemUTC()).reset(name)) {
                    throw new IllegalArgumentException("'" + name + "' has no second factor to reset");
                }
            }
            System.out.println("second factor of " + name + " reset; the next login sets up a new one");
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
