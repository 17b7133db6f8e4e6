package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.ContractViolation;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.coordinator.evidence.CoordinatorRecord;
import haven.store.Database;
import haven.store.Dialect;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.web.LiveFeed;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The coordinator's own records (alert attempts) in the hubs' evidence log: chained, on the timeline, not a hub's gap. */
@ParameterizedClass
@EnumSource(Dialect.class)
class CoordinatorRecordsTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final EventLog log = new EventLog(codec);
    private final RoomId room = new RoomId("school", "year5");
    private TestDatabases databases;
    private Database db;
    private Ingest ingest;

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        ingest = new Ingest(db, codec, log, new Incidents(), new Rooms(), new Isolations(), new LiveFeed(), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
        databases.close();
    }

    private Event worry(long seq) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), seq, EventType.WORRY_REPORTED, room, clock.instant(), data);
        ingest.onMessage(e.topic(), codec.encode(e), false);
        return e;
    }

    private void record(String report) throws Exception {
        ObjectNode data = Json.object();
        data.put("report", report);
        data.put("outcome", "accepted");
        CoordinatorRecord r = new CoordinatorRecord(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), "notify.attempt", room, clock.instant(), data);
        db.transaction(c -> log.append(c, r, clock.instant()));
    }

    @Test
    void aHubsMissingEventIsStillReportedWhenTheRoomHasCoordinatorRecords() throws Exception {
        Event first = worry(1);
        record(first.id());
        worry(3);
        assertEquals(1L, (long) db.query(c -> new Rooms().missing(c, room)), "seq 2 is missing; the record's seq 0 is not one of the hub's");
    }

    @Test
    void recordsAreChainedAndOnTheIncidentsChronology() throws Exception {
        Event press = worry(1);
        clock.advance(java.time.Duration.ofSeconds(1));
        record(press.id());
        assertTrue(db.query(EventLog::verify).intact());
        Incidents incidents = new Incidents();
        Incident incident = db.query(c -> incidents.find(c, press.id())).orElseThrow();
        var steps = db.query(c -> incidents.chronology(c, incident));
        assertEquals(2, steps.size());
        assertEquals("notify.attempt", steps.get(1).path("type").asText());
    }

    @Test
    void pushKeysAreMadeOnceAndSubscriptionsAreKeptPerStaffAccount() throws Exception {
        new StaffAccounts(db, clock).put("dsl", Role.COORDINATOR, "correct-horse-battery".toCharArray());
        haven.coordinator.notify.WebPush push = new haven.coordinator.notify.WebPush(new java.security.SecureRandom());
        haven.coordinator.notify.PushSubscriptions subscriptions = new haven.coordinator.notify.PushSubscriptions(db, clock, push);
        byte[] first = subscriptions.keys().publicKey();
        org.junit.jupiter.api.Assertions.assertArrayEquals(first, subscriptions.keys().publicKey(), "one key pair, kept");
        byte[] device = haven.coordinator.notify.WebPush.uncompressed((java.security.interfaces.ECPublicKey) push.newKeyPair().getPublic());
        subscriptions.subscribe("dsl", "https://push.example.invalid/d1", haven.coordinator.notify.WebPush.base64Url(device),
                haven.coordinator.notify.WebPush.base64Url(new byte[16]));
        assertEquals(1, subscriptions.of("dsl").size());
        subscriptions.remove(java.net.URI.create("https://push.example.invalid/d1"));
        assertEquals(0, subscriptions.of("dsl").size());
        assertThrows(IllegalArgumentException.class, () -> subscriptions.subscribe("dsl", "http://10.0.0.5/internal",
                haven.coordinator.notify.WebPush.base64Url(device), haven.coordinator.notify.WebPush.base64Url(new byte[16])), "plain http off loopback");
    }

    @Test
    void aHubCannotSendARecordOfTheCoordinatorsOwn() {
        String forged = "{\"id\":\"" + new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next() + "\",\"seq\":1,\"type\":\"notify.attempt\",\"site\":\"school\","
                + "\"room\":\"year5\",\"at\":\"2026-11-25T10:00:00Z\",\"data\":{}}";
        assertThrows(ContractViolation.class, () -> codec.decode(forged.getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class,
                () -> new CoordinatorRecord("x", "worry.reported", room, clock.instant(), Json.object()));
    }
}
