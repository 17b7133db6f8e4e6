package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.EvidenceCheck;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.StaffClient;
import haven.testkit.TestCoordinator;
import haven.testkit.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Staff concerns and the case work on them (docs/CASEWORK.md), on SQLite and PostgreSQL: routing by whom
 * a concern is about, append-only notes, assignment, actions that become overdue on an injected clock,
 * reopening, and a log that still verifies after all of it.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class CaseWorkTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = TestCoordinator.PASSWORD;
    private static final RoomId YEAR5 = new RoomId("test-school", "year5");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final List<String> overdue = new CopyOnWriteArrayList<>();
    private long seq;
    private TestCoordinator running;
    private TestDatabases.TestDatabase store;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        running = TestCoordinator.start(dialect, dir, clock, "case-test");
        running
                .staff("dsl", Role.COORDINATOR)
                .staff("head", Role.HEAD)
                .staff("slt", Role.SENIOR)
                .staff("teacher-a", Role.TEACHER)
                .staff("teacher-b", Role.TEACHER)
                .staff("gov", Role.GOVERNOR)
                .staff("chair", Role.CHAIR);
        coordinator = running.coordinator();
        store = running.store();
        coordinator.onActionOverdue((incident, kind, due) -> overdue.add(incident.id() + " " + kind + " " + due));
        coordinator.staff().assignRooms("teacher-a", Set.of(YEAR5));
        coordinator.staff().assignRooms("teacher-b", Set.of(YEAR5));
    }

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private StaffClient as(String name) throws Exception {
        return running.as(name);
    }

    private static ObjectNode concern(String about) {
        return Json.object().put("room", "test-school/year5").put("category", "unkind-online")
                .put("summary", "messages in the class chat").put("about", about);
    }

    private static long logged(StaffClient who, ObjectNode concern) throws Exception {
        HttpResponse<String> answer = who.post("/api/concerns", Json.write(concern));
        assertEquals(201, answer.statusCode(), answer.body());
        return Json.parse(answer.body().getBytes()).get("id").asLong();
    }

    private static List<Long> ids(StaffClient who, String path, String field) throws Exception {
        JsonNode body = Json.parse(who.get(path).body().getBytes());
        return StreamSupport.stream(body.get(field).spliterator(), false).map(i -> i.get("id").asLong()).toList();
    }

    private static JsonNode json(HttpResponse<String> answer) {
        return Json.parse(answer.body().getBytes());
    }

    private static long reportCount(StaffClient who) throws Exception {
        long n = 0;
        for (JsonNode row : json(who.get("/api/reports")).get("months")) {
            n += row.get("count").asLong();
        }
        return n;
    }

    @Test
    void theHeadCannotSeeAConcernAboutTheHeadAndTheChairCan() throws Exception {
        try (StaffClient teacher = as("teacher-a"); StaffClient head = as("head"); StaffClient chair = as("chair");
             StaffClient dsl = as("dsl")) {
            long id = logged(teacher, concern("head"));
            assertFalse(ids(head, "/api/incidents?status=all", "incidents").contains(id));
            assertEquals(404, head.get("/api/incidents/" + id).statusCode());
            assertEquals(404, head.post("/api/incidents/" + id + "/notes", "{\"text\":\"x\"}").statusCode());
            assertFalse(ids(head, "/api/snapshot", "incidents").contains(id), "nor in the live snapshot");
            assertEquals(0, reportCount(head), "nor counted in the head's report");
            assertEquals(404, dsl.get("/api/incidents/" + id).statusCode());
            assertEquals(404, teacher.get("/api/incidents/" + id).statusCode(), "the logger hands it on; it is routed to the chair alone");
            assertEquals(List.of(id), ids(chair, "/api/incidents?status=all", "incidents"));
            JsonNode detail = json(chair.get("/api/incidents/" + id));
            assertEquals("concern", detail.get("source").asText());
            assertEquals("head", detail.get("about").asText());
            assertEquals("teacher-a", detail.get("loggedBy").asText());
            assertTrue(detail.get("caseNumber").asText().matches("2026-\\d{4}"), detail.toString());
            assertEquals(1, reportCount(chair));
        }
    }

    @Test
    void theLiveFeedRoutesConcernsAsTheRestApiDoes() throws Exception {
        try (StaffClient teacher = as("teacher-a"); StaffClient head = as("head"); StaffClient dsl = as("dsl")) {
            head.openLive();
            dsl.openLive();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !head.received.isEmpty() && !dsl.received.isEmpty());
            long aboutHead = logged(teacher, concern("head"));
            long aboutStaff = logged(teacher, concern("staff"));
            long aboutPupil = logged(teacher, concern("pupil"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pushed(dsl, aboutPupil) && pushed(head, aboutPupil));
            assertTrue(pushed(head, aboutStaff), "a concern about staff reaches the head live");
            assertFalse(pushed(head, aboutHead), "a concern about the head never reaches the head's dashboard");
            assertFalse(pushed(dsl, aboutHead) || pushed(dsl, aboutStaff), "nor the DSL's");
        }
    }

    private static boolean pushed(StaffClient who, long id) {
        return who.received.stream().anyMatch(m -> "incident".equals(m.path("kind").asText()) && m.path("incident").path("id").asLong() == id);
    }

    @Test
    void aConcernAboutStaffGoesToTheHeadAndTheChairOnly() throws Exception {
        try (StaffClient slt = as("slt"); StaffClient head = as("head"); StaffClient chair = as("chair");
             StaffClient dsl = as("dsl"); StaffClient gov = as("gov")) {
            long id = logged(slt, concern("staff"));
            assertEquals(200, head.get("/api/incidents/" + id).statusCode());
            assertEquals(200, chair.get("/api/incidents/" + id).statusCode());
            assertEquals(404, dsl.get("/api/incidents/" + id).statusCode());
            assertEquals(404, slt.get("/api/incidents/" + id).statusCode());
            assertEquals(1, reportCount(head));
            assertEquals(0, reportCount(dsl));
            assertEquals(0, reportCount(gov));
            assertEquals(403, gov.post("/api/concerns", Json.write(concern("pupil"))).statusCode(), "governors do not log concerns");
            assertEquals(403, chair.post("/api/concerns", Json.write(concern("pupil"))).statusCode());
        }
    }

    @Test
    void aTeacherSeesTheConcernsTheyLogged() throws Exception {
        try (StaffClient a = as("teacher-a"); StaffClient b = as("teacher-b"); StaffClient dsl = as("dsl"); StaffClient chair = as("chair")) {
            long mine = logged(a, concern("pupil").put("room", "outside-school"));
            long theirs = logged(b, concern("pupil"));
            assertEquals(List.of(mine), ids(a, "/api/incidents?status=all", "incidents"));
            assertEquals(List.of(theirs), ids(b, "/api/incidents?status=all", "incidents"), "not a colleague's, even in their own room");
            assertEquals(Set.of(mine, theirs), Set.copyOf(ids(dsl, "/api/incidents?status=all", "incidents")));
            assertEquals(List.of(), ids(chair, "/api/incidents?status=all", "incidents"), "the chair is not sent concerns about pupils");
            JsonNode detail = json(a.get("/api/incidents/" + mine));
            assertEquals("outside-school", detail.get("room").asText());
            assertEquals(400, a.post("/api/concerns", Json.write(concern("nobody"))).statusCode());
            assertEquals(400, a.post("/api/concerns", Json.write(concern("pupil").put("illegal", "maybe"))).statusCode());
            assertEquals(400, a.post("/api/concerns", Json.write(concern("pupil").put("url", "javascript:alert(1)"))).statusCode());
        }
    }

    @Test
    void notesAreAppendOnlyAndACorrectionIsANewNote() throws Exception {
        try (StaffClient dsl = as("dsl"); StaffClient teacher = as("teacher-a")) {
            long id = logged(teacher, concern("pupil"));
            HttpResponse<String> first = dsl.post("/api/incidents/" + id + "/notes", "{\"text\":\"spoke to the pupil on Tuesday\"}");
            assertEquals(201, first.statusCode(), first.body());
            long noteId = json(first).get("id").asLong();
            HttpResponse<String> fix = dsl.post("/api/incidents/" + id + "/notes",
                    "{\"text\":\"spoke to the pupil on Wednesday\",\"corrects\":" + noteId + "}");
            assertEquals(201, fix.statusCode(), fix.body());
            assertEquals(400, dsl.post("/api/incidents/" + id + "/notes", "{\"text\":\"x\",\"corrects\":999999}").statusCode());
            assertEquals(403, teacher.post("/api/incidents/" + id + "/notes", "{\"text\":\"x\"}").statusCode());
            JsonNode notes = json(dsl.get("/api/incidents/" + id)).get("notes");
            assertEquals(2, notes.size());
            assertEquals("spoke to the pupil on Tuesday", notes.get(0).get("text").asText(), "the corrected note stays as written");
            assertEquals(noteId, notes.get(1).get("corrects").asLong());
        }
        try (Connection c = store.connect()) {
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("UPDATE case_notes SET text = 'rewritten'"));
        }
        try (Connection c = store.connect()) {
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("DELETE FROM case_notes"));
        }
        try (Connection c = store.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT text FROM case_notes ORDER BY id")) {
            List<String> texts = new ArrayList<>();
            while (rs.next()) {
                texts.add(rs.getString(1));
            }
            assertEquals(List.of("spoke to the pupil on Tuesday", "spoke to the pupil on Wednesday"), texts);
        }
    }

    @Test
    void anActionPastItsDueTimeIsFlaggedOnceAndAlertedOnce() throws Exception {
        try (StaffClient dsl = as("dsl")) {
            long id = logged(dsl, concern("pupil"));
            HttpResponse<String> added = dsl.post("/api/incidents/" + id + "/actions", Json.write(Json.object()
                    .put("kind", "mash-referral").put("reference", "MASH-2026-114").put("due", "2026-11-25T12:00:00Z")));
            assertEquals(201, added.statusCode(), added.body());
            long action = json(added).get("id").asLong();
            assertEquals(400, dsl.post("/api/incidents/" + id + "/actions", "{\"kind\":\"shrug\",\"due\":\"2026-11-25T12:00:00Z\"}").statusCode());
            assertEquals(400, dsl.post("/api/incidents/" + id + "/actions", "{\"kind\":\"police\",\"due\":\"tomorrow\"}").statusCode());
            dsl.post("/api/incidents/" + id + "/actions", "{\"kind\":\"parents-informed\",\"due\":\"2026-11-26T12:00:00Z\"}");

            assertEquals(0, coordinator.overdueActions().runOnce(), "not yet due");
            clock.advance(Duration.ofHours(3));
            assertEquals(1, coordinator.overdueActions().runOnce());
            assertEquals(0, coordinator.overdueActions().runOnce(), "flagged once");
            assertEquals(List.of(id + " mash-referral 2026-11-25T12:00:00Z"), overdue, "alerted once per overdue action");
            JsonNode actions = json(dsl.get("/api/incidents/" + id)).get("actions");
            assertTrue(actions.get(0).get("overdue").asBoolean());
            assertFalse(actions.get(1).get("overdue").asBoolean());

            assertEquals(200, dsl.post("/api/incidents/" + id + "/actions/" + action + "/done", "{}").statusCode());
            assertEquals(409, dsl.post("/api/incidents/" + id + "/actions/" + action + "/done", "{}").statusCode());
            assertFalse(json(dsl.get("/api/incidents/" + id)).get("actions").get(0).get("overdue").asBoolean());
        }
    }

    @Test
    void assignReopenAndTheLogStillVerifies() throws Exception {
        try (StaffClient dsl = as("dsl"); StaffClient head = as("head"); StaffClient slt = as("slt")) {
            long id = logged(dsl, concern("pupil").put("url", "https://example.invalid/chat").put("nature", "insulting messages"));
            assertEquals(400, dsl.post("/api/incidents/" + id + "/assign", "{\"to\":\"chair\"}").statusCode(),
                    "a case about a pupil cannot be assigned to someone it is not routed to");
            // A name typed into the box may be anyone's (a pupil's, mistyped): the refusal names the field only.
            HttpResponse<String> unknown = dsl.post("/api/incidents/" + id + "/assign", "{\"to\":\"Jamie Smith\"}");
            assertEquals(400, unknown.statusCode());
            assertTrue(unknown.body().startsWith("to: ") && !unknown.body().contains("Jamie"), unknown.body());
            HttpResponse<String> assigned = dsl.post("/api/incidents/" + id + "/assign", "{\"to\":\"slt\"}");
            assertEquals(200, assigned.statusCode(), assigned.body());
            assertEquals("slt", json(assigned).get("assignedTo").asText());
            assertEquals(409, slt.post("/api/incidents/" + id + "/reopen", "{\"reason\":\"x\"}").statusCode(), "not closed yet");
            long headCase = logged(slt, concern("head"));
            assertEquals(400, dsl.post("/api/incidents/" + id + "/reopen", "{}").statusCode(), "a reason is required");
            assertEquals(200, dsl.post("/api/incidents/" + id + "/close",
                    "{\"outcome\":\"no-further-action\",\"notes\":\"resolved\"}").statusCode());
            HttpResponse<String> reopened = slt.post("/api/incidents/" + id + "/reopen", "{\"reason\":\"the messages started again\"}");
            assertEquals(200, reopened.statusCode(), reopened.body());
            assertEquals("acknowledged", json(reopened).get("status").asText(), "closing had acknowledged it first");
            assertEquals("https://example.invalid/chat", json(reopened).get("url").asText(), "closing without a URL keeps the concern's");
            assertEquals(404, head.post("/api/incidents/" + headCase + "/assign", "{\"to\":\"head\"}").statusCode());
        }
        try (Connection c = store.connect()) {
            EvidenceCheck.Result result = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), () -> result.finding().orElseThrow().toString());
            assertEquals(2, result.incidents());
        }
        try (Connection c = store.connect()) {
            c.createStatement().executeUpdate("UPDATE incidents SET status = 'closed', closed_at = '2026-11-25T10:00:00.000Z', "
                    + "closed_by = 'dsl', outcome = 'no-further-action' WHERE about = 'pupil'");
            assertFalse(EvidenceCheck.run(haven.store.SqlTypes.borrow(c)).intact(), "a reopening undone in the table is caught");
        }
    }

    private String worry() {
        haven.protocol.Event e = new haven.protocol.Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq,
                haven.protocol.EventType.WORRY_REPORTED, YEAR5, clock.instant(), Json.object().put("presses", 1));
        coordinator.ingest().onMessage(e.topic(), new haven.protocol.EventCodec().encode(e), false);
        return e.id();
    }

    private long auditRows(String action) throws SQLException {
        try (Connection c = store.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM audit WHERE action = '" + action + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void closingNeedsAnOutcomeAndANoteAcknowledgesFirstAndAuditsOnlyWhatHappened() throws Exception {
        worry();
        try (StaffClient dsl = as("dsl")) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> ids(dsl, "/api/incidents?status=open", "incidents").size() == 1);
            long id = ids(dsl, "/api/incidents?status=open", "incidents").get(0);
            assertEquals(400, dsl.post("/api/incidents/" + id + "/close", "{\"notes\":\"spoke to the pupil\"}").statusCode(),
                    "no default outcome");
            assertEquals(400, dsl.post("/api/incidents/" + id + "/close", "{\"outcome\":\"resolved-in-class\"}").statusCode(),
                    "a closing needs a note");
            assertEquals("open", json(dsl.get("/api/incidents/" + id)).get("status").asText());
            assertEquals(0, auditRows("close"), "a refused closing is not audited as a closing");
            HttpResponse<String> closed = dsl.post("/api/incidents/" + id + "/close",
                    "{\"outcome\":\"resolved-in-class\",\"notes\":\"spoke to the pupil\"}");
            assertEquals(200, closed.statusCode(), closed.body());
            JsonNode body = json(closed);
            assertEquals("closed", body.get("status").asText());
            assertEquals("dsl", body.get("ackedBy").asText(), "nobody had acknowledged: closing acknowledged first");
            assertTrue(body.get("hubNotified").asBoolean(), "and told the kiosk, as an acknowledgement does");
            assertEquals(409, dsl.post("/api/incidents/" + id + "/close",
                    "{\"outcome\":\"resolved-in-class\",\"notes\":\"again\"}").statusCode());
            assertEquals(1, auditRows("close"));
            assertEquals(1, auditRows("close-refused"));
            assertEquals(1, auditRows("acknowledge"));
            assertEquals(409, dsl.post("/api/incidents/" + id + "/ack", "{}").statusCode());
            assertEquals(1, auditRows("acknowledge"), "a refused acknowledgement is not audited as one");
        }
        try (Connection c = store.connect()) {
            EvidenceCheck.Result result = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), () -> result.finding().orElseThrow().toString());
        }
    }

    @Test
    void verifyLogComparesTheAssignmentAndTheSuspectedIllegalContentWithTheirRecords() throws Exception {
        try (StaffClient dsl = as("dsl")) {
            long id = logged(dsl, concern("pupil").put("illegal", "other-suspected-illegal"));
            assertEquals(200, dsl.post("/api/incidents/" + id + "/assign", "{\"to\":\"slt\"}").statusCode());
        }
        try (Connection c = store.connect()) {
            assertTrue(EvidenceCheck.run(haven.store.SqlTypes.borrow(c)).intact());
            c.createStatement().executeUpdate("UPDATE incidents SET assigned_to = 'dsl'");
            EvidenceCheck.Result moved = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertEquals("column assigned_to does not match the staff decisions in the evidence log",
                    moved.finding().map(EvidenceCheck.Finding::reason).orElse("intact"));
            c.createStatement().executeUpdate("UPDATE incidents SET assigned_to = 'slt', illegal = 'none'");
            assertEquals("column illegal does not match the staff decisions in the evidence log",
                    EvidenceCheck.run(haven.store.SqlTypes.borrow(c)).finding().map(EvidenceCheck.Finding::reason).orElse("intact"),
                    "a suspicion of illegal content quietly dropped is caught");
            c.createStatement().executeUpdate("UPDATE incidents SET illegal = 'other-suspected-illegal', about = 'head'");
            assertEquals("column about does not match the staff decisions in the evidence log",
                    EvidenceCheck.run(haven.store.SqlTypes.borrow(c)).finding().map(EvidenceCheck.Finding::reason).orElse("intact"),
                    "re-routing a concern in the table is caught");
        }
    }

    @Test
    void caseNumbersRunWithoutGapsAcrossWorriesAndConcerns() throws Exception {
        try (StaffClient dsl = as("dsl")) {
            List<String> numbers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long id = logged(dsl, concern("pupil"));
                numbers.add(json(dsl.get("/api/incidents/" + id)).get("caseNumber").asText());
            }
            assertEquals(400, dsl.post("/api/concerns", "{\"about\":\"pupil\"}").statusCode(), "a refused concern takes no number");
            worry();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> ids(dsl, "/api/incidents?status=open", "incidents").size() == 4);
            long id = logged(dsl, concern("pupil"));
            numbers.add(json(dsl.get("/api/incidents/" + id)).get("caseNumber").asText());
            assertEquals(List.of("2026-0001", "2026-0002", "2026-0003", "2026-0005"), numbers, "the worry took 2026-0004");
        }
    }
}
