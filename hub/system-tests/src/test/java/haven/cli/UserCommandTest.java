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

/** Staff accounts from the command line: add (with a teacher's rooms), role, rooms, passwd, disable. */
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
        // Weak passwords are refused at add and passwd, with the reason (docs/SECURITY.md).
        java.io.PrintStream oldErr = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, run("mrs-robinson\n", "user", "add", "--role", "senior", "--db", db, "mrs-robinson"), "the name");
            assertEquals(2, run("zzzzzzzzzzzz\n", "user", "add", "--role", "senior", "--db", db, "mrs-robinson"), "one character");
            assertEquals(2, run("Password2024!\n", "user", "passwd", "--db", db, "ms-khan"), "a common password");
        } finally {
            System.setErr(oldErr);
        }
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("must not be the account's name") && said.contains("one character repeated")
                && said.contains("too common"), said);
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

    @Test
    void addOnATakenNameIsRefusedAndNamesTheCommandThatChangesARole() throws Exception {
        String db = dir.resolve("coordinator.db").toString();
        assertEquals(0, run("first-password-1\n", "user", "add", "--role", "teacher", "--rooms", "school/year5", "--db", db, "ms-khan"));
        java.io.PrintStream oldErr = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, run("other-password-2\n", "user", "add", "--role", "coordinator", "--db", db, "ms-khan"),
                    "add never changes an existing account");
        } finally {
            System.setErr(oldErr);
        }
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("already a staff account called 'ms-khan'") && said.contains("haven user role ms-khan"), said);
        try (Database database = Database.open(Path.of(db), "db/coordinator")) {
            StaffAccounts staff = new StaffAccounts(database, Clock.systemUTC());
            assertEquals(Role.TEACHER, staff.verify("ms-khan", "first-password-1".toCharArray()).orElseThrow(), "role and password kept");
            assertTrue(staff.verify("ms-khan", "other-password-2".toCharArray()).isEmpty());
            assertEquals(Set.of(new RoomId("school", "year5")), staff.rooms("ms-khan"));
        }
        assertEquals(0, run("", "user", "role", "--db", db, "ms-khan", "senior"));
        assertEquals(0, run("", "user", "rooms", "--rooms", "school/year6", "--db", db, "ms-khan"));
        try (Database database = Database.open(Path.of(db), "db/coordinator")) {
            StaffAccounts staff = new StaffAccounts(database, Clock.systemUTC());
            assertEquals(Role.SENIOR, staff.verify("ms-khan", "first-password-1".toCharArray()).orElseThrow());
            assertEquals(Set.of(new RoomId("school", "year6")), staff.rooms("ms-khan"));
        }
        assertEquals(2, run("", "user", "role", "--db", db, "nobody", "senior"));
        assertEquals(2, run("", "user", "role", "--db", db, "ms-khan", "wizard"));
    }
}
