package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.FilterResult;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The DfE check log on SQLite and PostgreSQL (migration V20): fields, receive time, the action once, CSV. */
@ParameterizedClass
@EnumSource(Dialect.class)
class FilterChecksTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final RoomId room = new RoomId("school", "year5");
    private static final StaffSession TECH = new StaffSession("t", "tech", Role.TECHNICIAN, "c", Instant.MAX, java.util.Set.of());
    private TestDatabases databases;
    private Database db;
    private Ingest ingest;
    private FilterChecks checks;

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        ingest = new Ingest(db, codec, new EventLog(codec), new Incidents(), new Rooms(), new Isolations(), new LiveFeed(), clock);
        checks = new FilterChecks(db, new AuditLog(db, clock), clock, new Incidents(), new LiveFeed());
    }

    @AfterEach
    void tearDown() throws Exception {
        ingest.close();
        db.close();
        databases.close();
    }

    private Event check(long seq, String by, String gamesResult, Instant hubClock) {
        ObjectNode data = Json.object();
        data.put("check", "schedule");
        data.put("by", by);
        ObjectNode evidence = Json.object();
        evidence.put("status", 200);
        data.putArray("results")
                .add(new FilterResult("adult", "adult.test", "blocked", "blocked", Json.object().put("dns", "nxdomain")).toJson())
                .add(new FilterResult("games", "=HYPERLINK(evil.test)", "blocked", gamesResult, evidence).toJson());
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), seq, EventType.FILTER_CHECKED, room, hubClock, data);
        ingest.onMessage(e.topic(), codec.encode(e), false);
        return e;
    }

    @Test
    void everyCheckIsListedNewestFirstWithWhenWhoWhereWhatAndTheAction() throws Exception {
        Instant hubWrong = Instant.parse("2020-01-01T00:00:00Z"); // a Pi without a synchronised clock
        Event passed = check(1, "schedule", "blocked", hubWrong);
        await().atMost(Duration.ofSeconds(10)).until(() -> checks.list(10).size() == 1);
        clock.advance(Duration.ofMinutes(5));
        Event failed = check(2, "tech", "reachable", hubWrong);
        await().atMost(Duration.ofSeconds(10)).until(() -> checks.list(10).size() == 2);

        var list = checks.list(10);
        assertEquals(failed.id(), list.get(0).id());
        assertEquals(Instant.parse("2026-12-01T10:05:00Z"), list.get(0).at(), "the log orders by the coordinator's receive time");
        assertEquals(hubWrong, list.get(0).hubAt());
        assertEquals("tech", list.get(0).by());
        assertEquals(room, list.get(0).room());
        assertEquals("open", list.get(0).incident());
        assertEquals("none", list.get(1).incident());
        assertEquals(passed.id(), list.get(1).id());

        assertEquals(FilterChecks.Recorded.RECORDED, checks.recordAction(failed.id(), "Reported to the filter provider", TECH));
        assertEquals(FilterChecks.Recorded.ALREADY_RECORDED, checks.recordAction(failed.id(), "again", TECH));
        assertEquals(FilterChecks.Recorded.NO_SUCH_CHECK, checks.recordAction(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), "x", TECH));
        var after = checks.list(10).get(0);
        assertEquals("closed", after.incident());
        assertEquals("Reported to the filter provider", after.action().orElseThrow());
        assertEquals("tech", after.actionBy().orElseThrow());

        String csv = checks.csv(10);
        assertEquals(1 + 4, csv.split("\r\n").length, "a header and one row per target tried");
        assertTrue(csv.contains("\"'=HYPERLINK(evil.test)\""), "a formula-looking target is neutralised: " + csv);
        assertTrue(csv.contains("\"Reported to the filter provider\",\"tech\""), csv);
    }
}
