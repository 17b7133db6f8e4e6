package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The governors' report's filtering section and its CSV, on SQLite and PostgreSQL: counts by month, no targets. */
@ParameterizedClass
@EnumSource(Dialect.class)
class FilteringReportTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T09:00:00Z"));
    private final StaffSession tech = new StaffSession("t", "tech-1", Role.TECHNICIAN, "c", Instant.MAX, Set.of());
    private final StaffSession teacher = new StaffSession("t2", "teacher-1", Role.TEACHER, "c", Instant.MAX, Set.of());
    private TestDatabases databases;
    private Database db;
    private AuditLog audit;
    private UnblockRequests requests;

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        audit = new AuditLog(db, clock);
        requests = new UnblockRequests(db, audit, clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
        databases.close();
    }

    private UnblockRequests.Asked asked(String until) {
        ObjectNode body = Json.object();
        body.putArray("sites").add("video.example.org");
        body.put("reason", "Year 9 history project on wartime film");
        body.put("group", "9H history");
        body.put("from", "2026-12-01T08:00:00Z");
        body.put("until", until);
        return UnblockRequests.Asked.from(body);
    }

    @Test
    void theGovernorsReportCountsChecksFailuresActionsAndRequestsByMonthWithoutTargets() throws Exception {
        EventCodec codec = new EventCodec();
        RoomId room = new RoomId("school", "year5");
        Incidents incidents = new Incidents();
        LiveFeed feed = new LiveFeed();
        try (Ingest ingest = new Ingest(db, codec, new EventLog(codec), incidents, new Rooms(), new Isolations(), feed, clock)) {
            FilterChecks checks = new FilterChecks(db, audit, clock, incidents, feed);
            String[] results = {"reachable", "blocked", "reachable"};
            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < results.length; i++) {
                ObjectNode data = Json.object().put("check", "schedule").put("by", "schedule");
                data.putArray("results").add(new FilterResult("games", "secret-target-" + i + ".test", "blocked", results[i],
                        Json.object()).toJson());
                Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), i + 1, EventType.FILTER_CHECKED, room, clock.instant(), data);
                ingest.onMessage(e.topic(), codec.encode(e), false);
                ids.add(e.id());
                clock.advance(Duration.ofDays(1)); // 30 Nov, 1 Dec, 2 Dec
            }
            checks.recordAction(ids.get(2), "Reported to the provider", tech);
            requests.request(asked("2026-12-05T16:00:00Z"), teacher);

            ObjectNode report = db.query(c -> incidents.report(c, false));
            JsonNode filtering = report.path("filtering");
            assertEquals(2, filtering.size(), filtering.toString());
            assertEquals("2026-11", filtering.get(0).path("month").asText());
            assertEquals(1, filtering.get(0).path("checks").asLong());
            assertEquals(1, filtering.get(0).path("failures").asLong());
            assertEquals(0, filtering.get(0).path("actionsRecorded").asLong());
            JsonNode december = filtering.get(1);
            assertEquals(2, december.path("checks").asLong());
            assertEquals(1, december.path("failures").asLong());
            assertEquals(1, december.path("actionsRecorded").asLong());
            assertEquals(1, december.path("failedCategories").path("games").asLong());
            assertEquals(0, filtering.get(0).path("unblockRequested").asLong());
            assertEquals(1, december.path("unblockRequested").asLong());
            assertFalse(report.toString().contains("secret-target"), "no target reaches the governors: " + report);
            assertEquals(0, report.path("months").size(), "a failed check is not counted as a worry: " + report.path("months"));

            String csv = FilteringReport.csv((com.fasterxml.jackson.databind.node.ArrayNode) filtering);
            assertEquals(List.of("month,checks,failures,actions_recorded,failed_category,category_failures,unblock_requested,"
                    + "unblock_approved,unblock_refused", "\"2026-11\",1,1,0,\"games\",1,0,0,0", "\"2026-12\",2,1,1,\"games\",1,1,0,0"),
                    List.of(csv.split("\r\n")));
        }
    }
}
