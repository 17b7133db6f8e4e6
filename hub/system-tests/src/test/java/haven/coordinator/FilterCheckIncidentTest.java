package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.evidence.EvidenceCheck;
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
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failed filter check opens one incident with source filter-check for the technician (docs/FILTERING.md), on
 * SQLite and PostgreSQL: once per check however many targets got through, never twice on redelivery, in full to
 * the technician and the check log's readers and to no teacher, never escalated as a worry, closed by the
 * recorded action with both steps chained so verify-log passes.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class FilterCheckIncidentTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final RoomId room = new RoomId("school", "year5");
    private final List<Incident> heard = new CopyOnWriteArrayList<>();
    private final Incidents incidents = new Incidents();
    private TestDatabases databases;
    private Database db;
    private LiveFeed feed;
    private Ingest ingest;
    private FilterChecks checks;

    private static StaffSession as(Role role, Set<RoomId> rooms) {
        return new StaffSession("t-" + role, role.wire() + "-1", role, "c", Instant.MAX, rooms);
    }

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        feed = new LiveFeed();
        feed.onIncidentChanged(heard::add);
        ingest = new Ingest(db, codec, new EventLog(codec), incidents, new Rooms(), new Isolations(), feed, clock);
        checks = new FilterChecks(db, new AuditLog(db, clock), clock, incidents, feed);
    }

    @AfterEach
    void tearDown() throws Exception {
        ingest.close();
        db.close();
        databases.close();
    }

    private byte[] check(Event e) {
        return codec.encode(e);
    }

    private Event filterCheck(long seq, String... results) {
        ObjectNode data = Json.object();
        data.put("check", "schedule");
        data.put("by", "schedule");
        var list = data.putArray("results");
        int i = 0;
        for (String result : results) {
            list.add(new FilterResult("cat" + i, "site" + i++ + ".test", "blocked", result, Json.object().put("status", 200)).toJson());
        }
        return new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), seq, EventType.FILTER_CHECKED, room, clock.instant(), data);
    }

    private void deliver(Event e) {
        ingest.onMessage(e.topic(), check(e), false);
    }

    private List<Incident> filterIncidents() throws Exception {
        return db.query(c -> incidents.list(c, "all")).stream().filter(i -> i.source() == IncidentSource.FILTER_CHECK).toList();
    }

    @Test
    void aFailedCheckOpensOneIncidentForTheTechnicianClosedByTheRecordedAction() throws Exception {
        Event failed = filterCheck(1, "reachable", "reachable", "blocked");
        deliver(failed);
        deliver(failed); // the broker redelivers after a lost PUBACK
        deliver(filterCheck(2, "blocked", "error"));

        List<Incident> opened = filterIncidents();
        assertEquals(1, opened.size(), "one incident per failed check, not per target, none for a pass: " + opened);
        Incident incident = opened.get(0);
        assertEquals(failed.id(), incident.reportId());
        assertEquals(room, incident.room());
        assertEquals(IncidentStatus.OPEN, incident.status());
        assertEquals(1, heard.stream().filter(i -> i.id() == incident.id()).count(), "the alerting side hears the opening once");
        assertEquals(IncidentSource.FILTER_CHECK, heard.get(0).source());

        ObjectNode techView = incident.viewFor(as(Role.TECHNICIAN, Set.of())).orElseThrow();
        assertFalse(techView.has("redacted"), "the technician sees the failed check in full: " + techView);
        assertEquals("filter-check", techView.path("source").asText());
        assertTrue(Visibility.fullDetail(incident, as(Role.TECHNICIAN, Set.of())));
        assertTrue(incident.viewFor(as(Role.COORDINATOR, Set.of())).isPresent());
        assertTrue(incident.viewFor(as(Role.SENIOR, Set.of())).isPresent());
        assertTrue(incident.viewFor(as(Role.HEAD, Set.of())).isPresent());
        assertEquals(Optional.empty(), incident.viewFor(as(Role.TEACHER, Set.of(room))), "teachers do not read the check log");
        assertEquals(Optional.empty(), incident.viewFor(as(Role.GOVERNOR, Set.of())));
        // What alerts ask before naming the room: the same rule.
        assertTrue(incident.visibleTo(Role.TECHNICIAN) && incident.visibleTo(Role.COORDINATOR) && incident.visibleTo(Role.HEAD));
        assertFalse(incident.visibleTo(Role.TEACHER) || incident.visibleTo(Role.GOVERNOR));

        // A worry is still redacted for the technician: only the source changes what they see.
        Event worry = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), 3, EventType.WORRY_REPORTED, room, clock.instant(),
                Json.object().put("presses", 1));
        deliver(worry);
        Incident worryIncident = db.query(c -> incidents.find(c, worry.id())).orElseThrow();
        assertTrue(worryIncident.viewFor(as(Role.TECHNICIAN, Set.of())).orElseThrow().path("redacted").asBoolean());

        // Nobody acknowledges a failed check (the technician records an action): it does not escalate as a worry.
        clock.advance(Duration.ofMinutes(30));
        new Escalation(db, incidents, feed, new AuditLog(db, clock), clock, Duration.ofMinutes(10), Optional.empty(),
                ZoneId.of("Europe/London")).runOnce();
        assertEquals(IncidentStatus.OPEN, db.query(c -> incidents.find(c, incident.id())).orElseThrow().status());
        assertEquals(IncidentStatus.ESCALATED, db.query(c -> incidents.find(c, worry.id())).orElseThrow().status());

        // Nor is it acknowledged: cmd/ack would put out the room's report-pending light with a worry waiting there.
        assertEquals(Optional.empty(), db.transaction(c -> incidents.acknowledge(c, incident.id(), "dsl-1", clock.instant())));

        assertEquals(FilterChecks.Recorded.RECORDED,
                checks.recordAction(failed.id(), "Reported to the filter provider", as(Role.TECHNICIAN, Set.of())));
        Incident closed = db.query(c -> incidents.find(c, incident.id())).orElseThrow();
        assertEquals(IncidentStatus.CLOSED, closed.status());
        assertEquals(CloseOutcome.FILTER_ACTION_RECORDED, closed.outcome());
        assertEquals("Reported to the filter provider", closed.notes());
        assertEquals("technician-1", db.query(c -> {
            try (var ps = c.getConnection().prepareStatement("SELECT closed_by FROM incidents WHERE id = ?")) {
                ps.setLong(1, incident.id());
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        }));
        assertEquals(IncidentStatus.CLOSED, heard.get(heard.size() - 1).status(), "the dashboards hear the closure");
        var entry = checks.find(failed.id()).orElseThrow();
        assertEquals("closed", entry.incident());
        assertEquals(incident.id(), entry.incidentId().orElseThrow());

        EvidenceCheck.Result verified = db.query(EvidenceCheck::run);
        assertTrue(verified.intact(), "the opening and the closure are in the chain: " + verified.finding());
        assertEquals(1L, (long) db.query(c -> {
            try (var ps = c.getConnection().prepareStatement("SELECT count(*) FROM events WHERE type = 'coordinator.filter-action'");
                 var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }));
    }

    @Test
    void theNormalCloseClosesItTooAndTheCheckLogSaysSo() throws Exception {
        Event failed = filterCheck(1, "reachable");
        deliver(failed);
        Incident incident = filterIncidents().get(0);
        db.transaction(c -> incidents.close(c, incident.id(), "dsl", new Incidents.Closing(CloseOutcome.NO_FURTHER_ACTION, "test", null, null),
                clock.instant()));
        assertEquals("closed", checks.find(failed.id()).orElseThrow().incident());
        assertEquals(Optional.empty(), checks.find(failed.id()).orElseThrow().action(), "no action was recorded");
    }
}
