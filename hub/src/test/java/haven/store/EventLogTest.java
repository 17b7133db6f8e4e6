package haven.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.cli.HavenCli;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
    @TempDir
    Path dir;

    private final EventCodec codec = new EventCodec();

    private static EventLog.Verification verifyAfter(Path file, String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS events_no_update");
            st.execute("DROP TRIGGER IF EXISTS events_no_delete");
            for (String s : sql) {
                st.execute(s);
            }
            return EventLog.verify(c);
        }
    }

    @Test
    void deletingAnEventIsFoundAtTheRowAfterTheGap() throws Exception {
        Path file = logWithEvents(5);
        EventLog.Verification v = verifyAfter(file, "DELETE FROM events WHERE pos = 3");
        assertFalse(v.intact());
        assertEquals(4, v.firstBreak().orElseThrow().position());
        assertEquals(1, HavenCli.run("verify-log", "--db", file.toString()));
    }

    @Test
    void reorderingEventsIsFound() throws Exception {
        Path file = logWithEvents(5);
        // Swap the content of rows 2 and 4, keeping every row's own hash: the chain no longer links up.
        EventLog.Verification v = verifyAfter(file,
                "UPDATE events SET pos = 100 WHERE pos = 2",
                "UPDATE events SET pos = 2 WHERE pos = 4",
                "UPDATE events SET pos = 4 WHERE pos = 100");
        assertFalse(v.intact());
        assertEquals(2, v.firstBreak().orElseThrow().position());
    }

    private Path logWithEvents(int n) throws Exception {
        Path file = dir.resolve("coordinator.db");
        try (Database db = Database.open(file, "/haven/store/coordinator")) {
            EventLog log = new EventLog(codec);
            for (int i = 1; i <= n; i++) {
                ObjectNode data = Json.object();
                data.put("presses", 1);
                Event e = new Event(UUID.randomUUID().toString(), i, EventType.WORRY_REPORTED, new RoomId("s", "r"),
                        Instant.parse("2026-11-25T10:00:00Z").plusSeconds(i), data);
                db.inTransaction(c -> log.append(c, e, Instant.now()));
            }
        }
        return file;
    }

    @Test
    void anUntouchedLogVerifiesAndTheCommandExitsZero() throws Exception {
        Path file = logWithEvents(5);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            EventLog.Verification v = EventLog.verify(c);
            assertTrue(v.intact());
            assertEquals(5, v.checked());
        }
        assertEquals(0, HavenCli.run("verify-log", "--db", file.toString()));
    }

    @Test
    void theDatabaseRefusesToChangeOrDeleteLoggedEvents() throws Exception {
        Path file = logWithEvents(2);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.execute("UPDATE events SET type = 'x'"));
            assertThrows(SQLException.class, () -> st.execute("DELETE FROM events"));
        }
    }

    @Test
    void editingAnEventIsFoundAndNamedAndTheCommandExitsOne() throws Exception {
        Path file = logWithEvents(4);
        String tampered;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            // Someone with file access drops the guard and edits the third event.
            st.execute("DROP TRIGGER events_no_update");
            st.execute("UPDATE events SET payload = replace(payload, '\"presses\":1', '\"presses\":9') WHERE pos = 3");
            var rs = st.executeQuery("SELECT id FROM events WHERE pos = 3");
            rs.next();
            tampered = rs.getString(1);
            EventLog.Verification v = EventLog.verify(c);
            assertFalse(v.intact());
            assertEquals(3, v.firstBreak().orElseThrow().position());
            assertEquals(tampered, v.firstBreak().orElseThrow().eventId());
            assertEquals(2, v.checked());
        }
        assertEquals(1, HavenCli.run("verify-log", "--db", file.toString()));
    }
}
