package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A classroom Pi holds a broker password (hub.yaml), so a stolen or tampered hub is a real threat: what one
 * room's hub sends must never change another room's incidents, nor hide them (docs/SECURITY.md, hostile hub).
 * Run on SQLite and on a real PostgreSQL (see TestDatabases).
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class HostileHubTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final UuidV7 ids = new UuidV7(clock);
    private final RoomId roomA = new RoomId("school", "year5");
    private final RoomId roomB = new RoomId("school", "year6");
    private TestDatabases databases;
    private Database db;
    private Ingest ingest;

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        ingest = new Ingest(db, codec, new EventLog(codec), new Incidents(), new Rooms(), new Isolations(), new LiveFeed(), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
        databases.close();
    }

    private Event event(RoomId room, long seq, EventType type, ObjectNode data) {
        return new Event(ids.next().toString(), seq, type, room, clock.instant(), data);
    }

    private void send(Event e) {
        ingest.onMessage(e.topic(), codec.encode(e), false);
    }

    private long count(String sql) throws Exception {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private List<String> reasons() throws Exception {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT reason FROM rejected ORDER BY id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    @Test
    void aFollowUpFromAnotherRoomCannotRewriteAReport() throws Exception {
        Event report = event(roomB, 1, EventType.WORRY_REPORTED, Json.object().put("presses", 1).put("category", "stranger-contact"));
        send(report);
        Event detail = event(roomA, 1, EventType.WORRY_DETAILED, Json.object().put("report", report.id()).put("category", "about-an-adult"));
        Event repeat = event(roomA, 2, EventType.WORRY_REPEATED, Json.object().put("report", report.id()).put("presses", 40));
        send(detail);
        send(repeat);
        Incident b = db.read(c -> new Incidents().find(c, report.id())).orElseThrow();
        assertEquals(roomB, b.room());
        assertEquals("stranger-contact", b.category(), "room A's hub recategorised room B's report");
        assertEquals(1, b.presses());
        assertEquals(2, count("SELECT count(*) FROM rejected"), "both follow-ups are kept aside");
        assertTrue(reasons().stream().allMatch(r -> r.contains("another room")), reasons().toString());
        assertEquals(1, count("SELECT count(*) FROM events"), "nothing of the forgery entered the evidence log");
    }
}
