package haven.coordinator.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.cli.HavenCli;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import haven.testkit.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tamper table (docs/EVIDENCE.md): a real coordinator database (worries pressed, acknowledged,
 * escalated, closed, viewed) is changed the way an insider with the file would, and `haven verify-log`
 * must exit 1 naming the table; untouched, it exits 0. On SQLite and PostgreSQL.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class TamperTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId YEAR5 = new RoomId("test-school", "year5");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private TestDatabases databases;
    private TestDatabases.TestDatabase store;
    private long closedId;
    private long escalatedId;

    @BeforeEach
    void aRealDatabase() throws Exception {
        databases = new TestDatabases(dialect, dir);
        store = databases.create("coordinator");
        try (EmbeddedBroker broker = EmbeddedBroker.start(Ports.free(), null)) {
            ObjectNode c = Json.object();
            c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("clientId", "tamper-test");
            c.putObject("http").put("host", "127.0.0.1").put("port", 0);
            c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
            c.putObject("escalation").put("ackWithinMinutes", 10).put("endOfDay", "23:30").put("timeZone", "UTC");
            store.configure(c);
            try (Coordinator coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock)) {
                coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
                coordinator.staff().put("slt", Role.SENIOR, PASSWORD.toCharArray());
                EventCodec codec = new EventCodec();
                for (long seq = 1; seq <= 2; seq++) {
                    Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), seq, EventType.WORRY_REPORTED, YEAR5, clock.instant(),
                            Json.object().put("presses", 1).put("category", "unkind-online"));
                    coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
                }
                try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
                    assertEquals(200, dsl.login("dsl", PASSWORD));
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                            .until(() -> incidents(dsl).size() == 2);
                    List<JsonNode> open = incidents(dsl);
                    closedId = open.get(0).get("id").asLong();
                    escalatedId = open.get(1).get("id").asLong();
                    clock.advance(Duration.ofMinutes(1));
                    assertEquals(200, dsl.post("/api/incidents/" + closedId + "/ack", "{}").statusCode());
                    clock.advance(Duration.ofMinutes(1));
                    assertEquals(200, dsl.post("/api/incidents/" + closedId + "/close",
                            "{\"outcome\":\"referred-to-dsl\",\"notes\":\"spoke with the pupil\"}").statusCode());
                    clock.advance(Duration.ofMinutes(1));
                    assertEquals(201, dsl.post("/api/incidents/" + closedId + "/came-forward", "{}").statusCode());
                    clock.advance(Duration.ofMinutes(15));
                    assertEquals(1, coordinator.escalation().runOnce());
                    assertEquals(200, dsl.get("/api/incidents/" + escalatedId).statusCode());
                    caseWork(dsl, coordinator.httpPort());
                }
            }
        }
    }

    /** A staff-logged concern with a note, a done action, a two-senior review and an attachment (docs/CASEWORK.md). */
    private void caseWork(StaffClient dsl, int coordinatorPort) throws Exception {
        var concern = dsl.post("/api/concerns", Json.write(Json.object().put("room", "outside-school")
                .put("category", "saw-something-upsetting").put("summary", "a link shared in a group chat").put("about", "pupil")
                .put("illegal", "other-suspected-illegal")));
        assertEquals(201, concern.statusCode(), concern.body());
        long id = Json.parse(concern.body().getBytes()).get("id").asLong();
        clock.advance(Duration.ofMinutes(1));
        assertEquals(201, dsl.post("/api/incidents/" + id + "/notes", "{\"text\":\"phoned the parents, no answer\"}").statusCode());
        var action = dsl.post("/api/incidents/" + id + "/actions", "{\"kind\":\"parents-informed\",\"due\":\"2026-11-26T10:00:00Z\"}");
        assertEquals(201, action.statusCode(), action.body());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(200, dsl.post("/api/incidents/" + id + "/actions/" + Json.parse(action.body().getBytes()).get("id").asLong()
                + "/done", "{}").statusCode());
        ObjectNode part = Json.object().put("computer", "dsl-office-laptop").put("nature", "a threatening message")
                .put("judgement", "substance");
        part.putArray("urls").add("https://example.invalid/shared");
        part.putArray("actions").add("police");
        assertEquals(201, dsl.post("/api/incidents/" + id + "/review", Json.write(part)).statusCode());
        try (StaffClient slt = new StaffClient(coordinatorPort)) {
            assertEquals(200, slt.login("slt", PASSWORD));
            assertEquals(201, slt.post("/api/incidents/" + id + "/review", Json.write(part)).statusCode());
        }
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        assertEquals(201, dsl.postFile("/api/incidents/" + id + "/attachments", "file", "screenshot.png", png).statusCode());
    }

    private static List<JsonNode> incidents(StaffClient who) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Json.parse(who.get("/api/incidents?status=open").body().getBytes()).get("incidents").forEach(out::add);
        out.sort(java.util.Comparator.comparingLong(i -> i.get("id").asLong()));
        return out;
    }

    @AfterEach
    void stop() throws Exception {
        databases.close();
    }

    private List<String> guardsOff() {
        List<String> out = new ArrayList<>(store.dropGuards());
        out.addAll(dialect == Dialect.SQLITE
                ? List.of("DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete")
                : List.of("ALTER TABLE audit DISABLE TRIGGER USER"));
        // The insider with the file drops the case tables' append-only guards too.
        for (String table : List.of("case_notes", "case_review_parts", "case_attachments", "attachment_blobs")) {
            out.addAll(dialect == Dialect.SQLITE
                    ? List.of("DROP TRIGGER IF EXISTS " + table + "_no_update", "DROP TRIGGER IF EXISTS " + table + "_no_delete")
                    : List.of("ALTER TABLE " + table + " DISABLE TRIGGER USER"));
        }
        return out;
    }

    private record Outcome(int exit, String output) {
    }

    private Outcome verifyAfter(String... sql) throws Exception {
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            for (String s : guardsOff()) {
                st.execute(s);
            }
            for (String s : sql) {
                st.execute(s);
            }
        }
        List<String> args = new ArrayList<>(List.of("verify-log"));
        args.addAll(store.verifyLogArgs());
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int exit = HavenCli.run(args.toArray(String[]::new));
            return new Outcome(exit, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(before);
        }
    }

    private void caught(String table, String... sql) throws Exception {
        Outcome o = verifyAfter(sql);
        assertEquals(1, o.exit(), o.output());
        assertTrue(o.output().contains("in table " + table + " "), o.output());
    }

    private long scalar(String sql) throws Exception {
        try (Connection c = store.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theUntouchedDatabaseVerifies() throws Exception {
        Outcome o = verifyAfter();
        assertEquals(0, o.exit(), o.output());
        assertTrue(o.output().contains("3 incidents match"), o.output());
        assertTrue(scalar("SELECT count(*) FROM events WHERE type LIKE 'coordinator.%'") >= 4,
                "the account, acknowledgement, closure and escalation are chained");
    }

    @Test
    void aDenormalisedColumnIsCaught() throws Exception {
        caught("events", "UPDATE events SET room = 'year6' WHERE pos = (SELECT min(pos) FROM events WHERE seq > 0)");
    }

    @Test
    void anAcknowledgementRewrittenInTheProjectionIsCaught() throws Exception {
        caught("incidents", "UPDATE incidents SET acked_by = 'head' WHERE id = " + closedId);
    }

    @Test
    void aClosureRewrittenInTheProjectionIsCaught() throws Exception {
        caught("incidents", "UPDATE incidents SET outcome = 'no-further-action', notes = NULL WHERE id = " + closedId);
    }

    @Test
    void whoThePupilCameForwardToRewrittenIsCaught() throws Exception {
        caught("incidents", "UPDATE incidents SET came_forward_by = 'head' WHERE id = " + closedId);
    }

    @Test
    void aComingForwardThatNeverHappenedIsCaught() throws Exception {
        caught("incidents", "UPDATE incidents SET came_forward_at = opened_at, came_forward_by = 'dsl' WHERE id = " + escalatedId);
    }

    @Test
    void anErasedEscalationIsCaught() throws Exception {
        caught("incidents", "UPDATE incidents SET escalated_at = NULL, status = 'open' WHERE id = " + escalatedId);
    }

    @Test
    void anAcknowledgementThatNeverHappenedIsCaught() throws Exception {
        caught("incidents", "UPDATE incidents SET status = 'acknowledged', acked_by = 'head', acked_at = opened_at WHERE id = " + escalatedId);
    }

    @Test
    void anEditedAuditRowIsCaught() throws Exception {
        caught("audit", "UPDATE audit SET actor = 'head' WHERE id = (SELECT max(id) FROM audit)");
    }

    @Test
    void aDeletedAuditRowIsCaught() throws Exception {
        caught("audit", "DELETE FROM audit WHERE id = (SELECT min(id) FROM audit WHERE hash IS NOT NULL)");
    }

    @Test
    void aDeletedTailOfTheLogIsCaught() throws Exception {
        long last = scalar("SELECT max(pos) FROM events");
        // The last three records are the two review parts and the attachment: their rows now stand unrecorded.
        caught("case_review_parts", "DELETE FROM events WHERE pos > " + (last - 3));
    }

    @Test
    void aPurgeBypassLeftSwitchedOnIsCaught() throws Exception {
        caught("purge_in_progress", "INSERT INTO purge_in_progress(started_at) VALUES ('2026-11-25T10:00:00Z')");
    }

    @Test
    void aPurgeBypassSwitchedOffAgainIsCaughtByTheChain() throws Exception {
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            // Only the purge flag, as an insider would use it: the delete trigger itself stays in place.
            st.execute("INSERT INTO purge_in_progress(started_at) VALUES ('2026-11-25T10:00:00Z')");
            st.execute("DELETE FROM events WHERE pos = (SELECT min(pos) FROM events WHERE type LIKE 'coordinator.%')");
            st.execute("DELETE FROM purge_in_progress");
        }
        caught("events");
    }

    @Test
    void aPurgeFakedWithTheFlagAndAHandMadeCheckpointIsCaught() throws Exception {
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            // As a purge would leave it, by hand: the flag, the first row cut, a checkpoint with its hash.
            st.execute("INSERT INTO purge_in_progress(started_at) VALUES ('2026-11-25T10:00:00Z')");
            st.execute("INSERT INTO chain_checkpoints(up_to_pos, hash, purged_events, at) SELECT pos, hash, 1, '2026-11-25T10:00:00Z'"
                    + " FROM events WHERE pos = (SELECT min(pos) FROM events)");
            st.execute("DELETE FROM events WHERE pos = (SELECT min(pos) FROM events)");
            st.execute("DELETE FROM purge_in_progress");
        }
        caught("chain_checkpoints");
    }

    @Test
    void aHubDrivenColumnRewrittenInTheProjectionIsCaughtByTheRebuild() throws Exception {
        caught("incidents", "UPDATE incidents SET presses = 7, category = 'about-an-adult' WHERE id = " + escalatedId);
    }

    @Test
    void anIncidentTheLogNeverOpenedIsCaughtByTheRebuild() throws Exception {
        caught("incidents", "INSERT INTO incidents(report_id, site, room, status, presses, opened_at) VALUES "
                + "('0190aaaa-0000-7000-8000-000000000000', 'test-school', 'year5', 'open', 1, '2026-11-25T10:00:00Z')");
    }

    @Test
    void anIncidentRowDeletedIsCaughtByTheRebuild() throws Exception {
        caught("incidents", "DELETE FROM incidents WHERE id = " + escalatedId);
    }

    @Test
    void aRoomsCounterRewrittenIsCaughtByTheRebuild() throws Exception {
        caught("rooms", "UPDATE rooms SET logged_seqs = logged_seqs + 1, last_seq = last_seq + 1");
    }

    @Test
    void aCaseNoteRewrittenIsCaught() throws Exception {
        caught("case_notes", "UPDATE case_notes SET text = 'nothing of concern'");
    }

    @Test
    void aCaseNoteDeletedIsCaught() throws Exception {
        caught("case_notes", "DELETE FROM case_notes");
    }

    @Test
    void aDoneActionMadeUndoneIsCaught() throws Exception {
        caught("case_actions", "UPDATE case_actions SET done_at = NULL, done_by = NULL");
    }

    @Test
    void anActionWhoseDueTimeIsMovedIsCaught() throws Exception {
        caught("case_actions", "UPDATE case_actions SET due = '2027-01-01T00:00:00Z'");
    }

    @Test
    void aReviewersJudgementRewrittenIsCaught() throws Exception {
        caught("case_review_parts", "UPDATE case_review_parts SET judgement = 'no-substance' WHERE id = (SELECT min(id) FROM case_review_parts)");
    }

    @Test
    void aReviewPartAddedByHandIsCaught() throws Exception {
        caught("case_review_parts", "INSERT INTO case_review_parts(incident_id, at, by_name, role, computer, urls, nature, judgement, actions)"
                + " SELECT incident_id, at, 'head', 'head', computer, urls, nature, judgement, actions FROM case_review_parts"
                + " WHERE id = (SELECT min(id) FROM case_review_parts)");
    }

    @Test
    void anAttachmentsBytesSwappedIsCaught() throws Exception {
        caught("attachment_blobs", "UPDATE attachment_blobs SET content = " + (dialect == Dialect.SQLITE ? "X'00'" : "'\\x00'::bytea"));
    }

    @Test
    void anAttachmentsRecordRewrittenIsCaught() throws Exception {
        caught("case_attachments", "UPDATE case_attachments SET by_name = 'head'");
    }
}
