package haven.coordinator.evidence;

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
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.TestDatabases;
import haven.testkit.TestDatabases.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Run on SQLite and on a real PostgreSQL (see TestDatabases). */
@ParameterizedClass
@EnumSource(Dialect.class)
class EventLogTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final EventCodec codec = new EventCodec();
    private TestDatabases databases;

    @BeforeEach
    void setUp() {
        databases = new TestDatabases(dialect, dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        databases.close();
    }

    private static EventLog.Verification verifyAfter(TestDatabase store, String... sql) throws Exception {
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            for (String s : store.dropGuards()) {
                st.execute(s);
            }
            for (String s : sql) {
                st.execute(s);
            }
            return EventLog.verify(haven.store.SqlTypes.borrow(c));
        }
    }

    private static int verifyLog(TestDatabase store) throws Exception {
        List<String> args = new ArrayList<>(List.of("verify-log"));
        args.addAll(store.verifyLogArgs());
        return HavenCli.run(args.toArray(String[]::new));
    }

    @Test
    void deletingAnEventIsFoundAtTheRowAfterTheGap() throws Exception {
        TestDatabase store = logWithEvents(5);
        EventLog.Verification v = verifyAfter(store, "DELETE FROM events WHERE pos = 3");
        assertFalse(v.intact());
        assertEquals(4, v.firstBreak().orElseThrow().position());
        assertEquals(1, verifyLog(store));
    }

    @Test
    void reorderingEventsIsFound() throws Exception {
        TestDatabase store = logWithEvents(5);
        // Swap the content of rows 2 and 4, keeping every row's own hash: the chain no longer links up.
        EventLog.Verification v = verifyAfter(store,
                "UPDATE events SET pos = 100 WHERE pos = 2",
                "UPDATE events SET pos = 2 WHERE pos = 4",
                "UPDATE events SET pos = 4 WHERE pos = 100");
        assertFalse(v.intact());
        assertEquals(2, v.firstBreak().orElseThrow().position());
    }

    private Event worry(int i) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        return new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), i, EventType.WORRY_REPORTED, new RoomId("s", "r"),
                Instant.parse("2026-11-25T10:00:00Z").plusSeconds(i), data);
    }

    private TestDatabase logWithEvents(int n) throws Exception {
        TestDatabase store = databases.create("coordinator");
        try (Database db = store.open()) {
            EventLog log = new EventLog(codec);
            for (int i = 1; i <= n; i++) {
                Event e = worry(i);
                db.transaction(c -> {
                    // As ingest does: the event and its projection in one transaction (verify-log rebuilds it).
                    Instant now = Instant.now();
                    log.append(c, e, now);
                    return new haven.coordinator.Projector(new haven.coordinator.Incidents(), new haven.coordinator.Rooms(),
                            new haven.coordinator.Isolations()).hubEvent(c, e, now);
                });
            }
        }
        return store;
    }

    @Test
    void anUntouchedLogVerifiesAndTheCommandExitsZero() throws Exception {
        TestDatabase store = logWithEvents(5);
        try (Connection c = store.connect()) {
            EventLog.Verification v = EventLog.verify(haven.store.SqlTypes.borrow(c));
            assertTrue(v.intact());
            assertEquals(5, v.checked());
        }
        assertEquals(0, verifyLog(store));
    }

    @Test
    void theDatabaseRefusesToChangeOrDeleteLoggedEvents() throws Exception {
        TestDatabase store = logWithEvents(2);
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.execute("UPDATE events SET type = 'x'"));
            assertThrows(SQLException.class, () -> st.execute("DELETE FROM events"));
            if (dialect == Dialect.POSTGRESQL) {
                assertThrows(SQLException.class, () -> st.execute("TRUNCATE events"));
                assertThrows(SQLException.class, () -> st.execute("INSERT INTO events(pos, id, site, room, seq, type, at, received_at,"
                        + " payload, prev_hash, hash) VALUES (1, 'x', 's', 'r', 1, 't', 'a', 'b', '{}', 'p', 'h')"),
                        "positions come from the database, never from a writer");
            }
        }
        try (Connection c = store.connect()) {
            assertEquals(2, EventLog.verify(haven.store.SqlTypes.borrow(c)).checked(), "every refused change left the log as it was");
        }
    }

    @Test
    void editingAnEventIsFoundAndNamedAndTheCommandExitsOne() throws Exception {
        TestDatabase store = logWithEvents(4);
        String tampered;
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            // Someone with direct access to the database drops the guard and edits the third event.
            for (String s : store.dropGuards()) {
                st.execute(s);
            }
            st.execute("UPDATE events SET payload = replace(payload, '\"presses\":1', '\"presses\":9') WHERE pos = 3");
            var rs = st.executeQuery("SELECT id FROM events WHERE pos = 3");
            rs.next();
            tampered = rs.getString(1);
            EventLog.Verification v = EventLog.verify(haven.store.SqlTypes.borrow(c));
            assertFalse(v.intact());
            assertEquals(3, v.firstBreak().orElseThrow().position());
            assertEquals(tampered, v.firstBreak().orElseThrow().eventId());
            assertEquals(2, v.checked());
        }
        assertEquals(1, verifyLog(store));
    }

    @Test
    void twoWritersAppendingAtOnceKeepOneIntactChain() throws Exception {
        TestDatabase store = databases.create("coordinator");
        EventLog log = new EventLog(codec);
        try (Database a = store.open(); Database b = store.open()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> writers = new ArrayList<>();
                for (Database db : List.of(a, b)) {
                    writers.add(pool.submit(() -> {
                        for (int i = 1; i <= 50; i++) {
                            Event e = worry(i);
                            db.transaction(c -> {
                    // As ingest does: the event and its projection in one transaction (verify-log rebuilds it).
                    Instant now = Instant.now();
                    log.append(c, e, now);
                    return new haven.coordinator.Projector(new haven.coordinator.Incidents(), new haven.coordinator.Rooms(),
                            new haven.coordinator.Isolations()).hubEvent(c, e, now);
                });
                        }
                        return null;
                    }));
                }
                for (Future<?> w : writers) {
                    w.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
        try (Connection c = store.connect()) {
            EventLog.Verification v = EventLog.verify(haven.store.SqlTypes.borrow(c));
            assertTrue(v.intact(), "two connections appended in turn, never from the same head: " + v.firstBreak());
            assertEquals(100, v.checked());
        }
        assertEquals(0, verifyLog(store));
    }
}
