package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import haven.store.Dialect;
import haven.coordinator.evidence.EventLog;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
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

/** The retention purge and its chain checkpoint, on SQLite and on a real PostgreSQL. */
@ParameterizedClass
@EnumSource(Dialect.class)
class RetentionPurgeTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private static final RoomId ROOM = new RoomId("test-school", "year5");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private TestDatabases databases;
    private TestDatabases.TestDatabase store;
    private Database db;
    private Ingest ingest;
    private long seq;

    @BeforeEach
    void open() throws Exception {
        databases = new TestDatabases(dialect, dir);
        store = databases.create("retention");
        db = store.open();
        ingest = new Ingest(db, codec, new EventLog(codec), new Incidents(), new Rooms(), new Isolations(), new LiveFeed(), clock);
    }

    @AfterEach
    void close() throws Exception {
        if (db != null) {
            db.close();
        }
        databases.close();
    }

    private void worry() {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, EventType.WORRY_REPORTED, ROOM, clock.instant(), data);
        ingest.onMessage(e.topic(), codec.encode(e), false);
    }

    private long count(String sql) throws Exception {
        try (Connection c = store.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aPurgeCutsTheLogAtItsStartAndTheRestStillVerifies() throws Exception {
        worry();
        worry();
        db.transaction(c -> new Incidents().close(c, 1, "dsl", new Incidents.Closing(CloseOutcome.NO_FURTHER_ACTION, null, null, null),
                clock.instant()));
        clock.advance(Duration.ofDays(400));
        worry();

        Retention.Purge purge = new Retention(db, new AuditLog(db, clock), clock, Duration.ofDays(365)).purgeOnce();
        assertEquals(new Retention.Purge(1, 1), purge);
        assertEquals(2, count("SELECT count(*) FROM incidents"));
        assertEquals(1, count("SELECT count(*) FROM chain_checkpoints"));
        assertEquals(1, count("SELECT count(*) FROM audit WHERE action = 'retention-purge'"));
        try (Connection c = store.connect()) {
            EventLog.Verification v = EventLog.verify(haven.store.SqlTypes.borrow(c));
            assertTrue(v.intact(), String.valueOf(v.firstBreak()));
            assertEquals(3, v.checked(), "the two kept events and the purge's own chained record");
            assertThrows(SQLException.class, () -> c.createStatement().execute("DELETE FROM events"),
                    "outside a purge the log still refuses deletes");
        }
        assertEquals(new Retention.Purge(0, 0), new Retention(db, new AuditLog(db, clock), clock, Duration.ofDays(365)).purgeOnce(),
                "a second purge finds nothing more");
    }

    @Test
    void aPurgeIsAChainedCheckpointAndEverythingStillVerifiesAndRebuilds() throws Exception {
        worry();
        worry();
        haven.coordinator.evidence.StaffDecisions decisions = new haven.coordinator.evidence.StaffDecisions(clock);
        db.transaction(c -> {
            Incident closed = new Incidents().close(c, 1, "dsl", new Incidents.Closing(CloseOutcome.NO_FURTHER_ACTION, null, null, null),
                    clock.instant()).orElseThrow();
            ObjectNode data = Json.object().put("incident", 1).put("report", closed.reportId()).put("by", "dsl").put("role", "coordinator")
                    .put("outcome", "no-further-action");
            data.put("notes", (String) null).put("url", (String) null).put("nature", (String) null);
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.CLOSED, closed.room(), clock.instant(), data);
            return null;
        });
        clock.advance(Duration.ofDays(400));
        worry();

        assertEquals(new Retention.Purge(1, 1), new Retention(db, new AuditLog(db, clock), clock, Duration.ofDays(365)).purgeOnce());
        try (Connection c = store.connect()) {
            haven.coordinator.evidence.EvidenceCheck.Result result = haven.coordinator.evidence.EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), String.valueOf(result.finding()));
            ResultSet rs = c.createStatement().executeQuery("SELECT payload FROM events WHERE type = 'coordinator.purged'");
            assertTrue(rs.next(), "the purge is a chained record");
            com.fasterxml.jackson.databind.JsonNode purged = Json.parse(rs.getString(1).getBytes(java.nio.charset.StandardCharsets.UTF_8)).get("data");
            ResultSet cp = c.createStatement().executeQuery("SELECT up_to_pos, hash, purged_events FROM chain_checkpoints");
            assertTrue(cp.next());
            assertEquals(cp.getLong(1), purged.get("upToPosition").asLong());
            assertEquals(cp.getString(2), purged.get("hash").asText());
            assertEquals(1, purged.get("events").asLong());
            assertEquals(1, purged.get("incidents").asLong());
            assertEquals(1, purged.get("purgedSeqs").get(0).get("upToSeq").asLong(), "the hub's seq 1 went with the purge");
        }
    }

    /** Case notes and actions outlive their purged incident (docs/CASEWORK.md); their records went with the log's start. */
    @Test
    void casePartsOfAPurgedIncidentStillVerifyButAForgedOneOnAKeptIncidentDoesNot() throws Exception {
        worry();
        Cases cases = new Cases(new Incidents(), clock);
        StaffSession dsl = new StaffSession("t", "dsl", Role.COORDINATOR, "c", clock.instant().plus(Duration.ofDays(900)), java.util.Set.of());
        db.transaction(c -> {
            Incident first = new Incidents().find(c, 1).orElseThrow();
            cases.addNote(c, first, "spoke to the pupil", java.util.Optional.empty(), dsl);
            cases.addAction(c, first, CaseActionKind.PARENTS_INFORMED, null, clock.instant().plus(Duration.ofDays(1)), dsl);
            Incident closed = new Incidents().close(c, 1, "dsl", new Incidents.Closing(CloseOutcome.NO_FURTHER_ACTION, "done", null, null),
                    clock.instant()).orElseThrow();
            ObjectNode data = Json.object().put("incident", 1).put("report", closed.reportId()).put("by", "dsl").put("role", "coordinator")
                    .put("outcome", "no-further-action").put("notes", "done");
            data.put("url", (String) null).put("nature", (String) null);
            new haven.coordinator.evidence.StaffDecisions(clock).record(c, haven.coordinator.evidence.StaffDecisions.CLOSED, closed.room(),
                    clock.instant(), data);
            return null;
        });
        clock.advance(Duration.ofDays(400));
        worry();
        db.transaction(c -> cases.addNote(c, new Incidents().find(c, 2).orElseThrow(), "still open", java.util.Optional.empty(), dsl));
        assertEquals(new Retention.Purge(1, 4), new Retention(db, new AuditLog(db, clock), clock, Duration.ofDays(365)).purgeOnce(),
                "the incident and its four records (the worry, the note, the action, the closure) go");
        assertEquals(2, count("SELECT count(*) FROM case_notes"), "notes stay when their incident is purged");
        try (Connection c = store.connect()) {
            haven.coordinator.evidence.EvidenceCheck.Result result = haven.coordinator.evidence.EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), String.valueOf(result.finding()));
        }
        try (Connection c = store.connect(); var st = c.createStatement()) {
            st.execute(dialect == Dialect.SQLITE ? "DROP TRIGGER IF EXISTS case_notes_no_update" : "ALTER TABLE case_notes DISABLE TRIGGER USER");
            st.execute("UPDATE case_notes SET text = 'nothing said' WHERE incident_id = 2");
        }
        try (Connection c = store.connect()) {
            haven.coordinator.evidence.EvidenceCheck.Result result = haven.coordinator.evidence.EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(!result.intact() && String.valueOf(result.finding()).contains("case_notes"), String.valueOf(result.finding()));
        }
    }
}
