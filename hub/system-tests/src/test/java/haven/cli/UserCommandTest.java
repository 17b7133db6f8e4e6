package haven.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.coordinator.Role;
import haven.coordinator.StaffAccounts;
import haven.protocol.RoomId;
import haven.store.Database;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staff accounts from the command line: add (with a teacher's rooms), passwd, disable. */
class UserCommandTest {
    @TempDir
    Path dir;

    private int run(String stdin, String... args) {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return HavenCli.run(args);
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void addPasswdAndDisableChangeWhoCanLogIn() throws Exception {
        String db = dir.resolve("coordinator.db").toString();
        assertEquals(0, run("first-password-1\n", "user", "add", "--role", "teacher", "--rooms", "school/year5,school/year6", "--db", db, "ms-khan"));
        assertEquals(0, run("second-password-2\n", "user", "passwd", "--db", db, "ms-khan"));
        try (Database database = Database.open(Path.of(db), "db/coordinator")) {
            StaffAccounts staff = new StaffAccounts(database, Clock.systemUTC());
            assertTrue(staff.verify("ms-khan", "first-password-1".toCharArray()).isEmpty());
            assertEquals(Role.TEACHER, staff.verify("ms-khan", "second-password-2".toCharArray()).orElseThrow());
            assertEquals(Set.of(new RoomId("school", "year5"), new RoomId("school", "year6")), staff.rooms("ms-khan"));
        }
        assertEquals(0, run("", "user", "disable", "--db", db, "ms-khan"));
        try (Database database = Database.open(Path.of(db), "db/coordinator")) {
            assertTrue(new StaffAccounts(database, Clock.systemUTC()).verify("ms-khan", "second-password-2".toCharArray()).isEmpty());
        }
        assertEquals(2, run("short\n", "user", "add", "--role", "senior", "--db", db, "mr-b"), "a short password is refused");
        assertEquals(2, run("long-enough-pw\n", "user", "add", "--role", "wizard", "--db", db, "mr-b"));
        assertEquals(2, run("", "user", "disable", "--db", db, "nobody"));
    }

    @Test
    void theChairOfGovernorsIsARole() throws Exception {
        String db = dir.resolve("coordinator.db").toString();
        assertEquals(0, run("chair-password-1\n", "user", "add", "--role", "chair", "--db", db, "mrs-chair"));
        try (Database database = Database.open(Path.of(db), "db/coordinator")) {
            assertEquals(Role.CHAIR, new StaffAccounts(database, Clock.systemUTC()).verify("mrs-chair", "chair-password-1".toCharArray())
                    .orElseThrow());
        }
    }
}
