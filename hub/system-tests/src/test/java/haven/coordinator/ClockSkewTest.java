package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.HubHealth;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A hub clock that is out is flagged on the room and on the event, against the coordinator's injected clock. */
@ParameterizedClass
@EnumSource(Dialect.class)
class ClockSkewTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final RoomId room = new RoomId("school", "year5");
    private TestDatabases databases;
    private Database db;
    private Ingest ingest;
    private RoomHealth health;

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        ingest = new Ingest(db, codec, new EventLog(codec), new Incidents(), new Rooms(), new Isolations(), new LiveFeed(), clock);
        health = new RoomHealth(db, clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        ingest.close();
        db.close();
        databases.close();
    }

    private void status(Instant hubAt) {
        HubStatus s = new HubStatus(true, hubAt, "0.1.0", "ks2", "1", List.of(), null, 0,
                Optional.of(new HubHealth(false, 1_000_000, 3, 60, Optional.of(51.0))));
        ingest.onMessage(Topics.status(room), s.encode(), true);
    }

    private Event worry(long seq, Instant hubAt) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), seq, EventType.WORRY_REPORTED, room, hubAt, data);
        ingest.onMessage(e.topic(), codec.encode(e), false);
        return e;
    }

    @Test
    void aHubClockAnHourBehindIsFlaggedOnTheRoomAndItsEventsAndASynchronisedOneIsNot() throws Exception {
        status(clock.instant().minus(Duration.ofSeconds(3)));
        await().atMost(Duration.ofSeconds(10)).until(() -> health.list().size() == 1);
        RoomHealth.Entry fine = health.list().getFirst();
        assertEquals(-3000, fine.skewMillis());
        assertTrue(!fine.skewed());
        assertEquals(false, fine.health().orElseThrow().clockSynced());
        assertEquals(1_000_000, fine.health().orElseThrow().diskFreeBytes());

        clock.advance(Duration.ofMinutes(10));
        status(clock.instant().minus(Duration.ofHours(1)));
        Event late = worry(1, clock.instant().minus(Duration.ofHours(1)));
        Event onTime = worry(2, clock.instant());
        await().atMost(Duration.ofSeconds(10)).until(() -> health.list().getFirst().skewed());
        assertEquals(-3_600_000, health.list().getFirst().skewMillis());
        await().atMost(Duration.ofSeconds(10)).until(() -> skewedEvents().contains(late.id()));
        assertTrue(!skewedEvents().contains(onTime.id()));
    }

    private List<String> skewedEvents() throws Exception {
        return db.query(c -> {
            List<String> out = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT event_id FROM event_clock_skew"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }
}
