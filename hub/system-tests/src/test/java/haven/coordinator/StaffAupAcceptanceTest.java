package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.evidence.EvidenceCheck;
import haven.protocol.Json;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.StaffClient;
import haven.testkit.TestCoordinator;
import haven.testkit.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
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
 * Staff "have read, understood and signed the Staff Acceptable Use Policy" (docs/DASHBOARD.md), against a
 * real coordinator on SQLite and PostgreSQL: a published Staff AUP is asked at the next login, the API
 * answers 403 staff-aup-not-accepted until it is accepted, a new version is asked again, each acceptance
 * is a chained record, the coordinator sees who has not accepted and the governors' report counts it.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class StaffAupAcceptanceTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = TestCoordinator.PASSWORD;
    private static final String V1 = "# Staff Acceptable Use Policy\n\nI use school systems for school work.\n\n- I lock my screen.\n";
    private static final String V2 = "# Staff Acceptable Use Policy\n\nI use school systems for school work.\n\n- I lock my screen.\n- I report worries.\n";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private TestCoordinator running;
    private TestDatabases.TestDatabase store;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        running = TestCoordinator.start(dialect, dir, clock, "staff-aup-test");
        running
                .staff("dsl", Role.COORDINATOR)
                .staff("head", Role.HEAD)
                .staff("teacher-a", Role.TEACHER)
                .staff("teacher-b", Role.TEACHER)
                .staff("gov", Role.GOVERNOR);
        coordinator = running.coordinator();
        store = running.store();
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

    private static JsonNode json(HttpResponse<String> answer) {
        return Json.parse(answer.body().getBytes());
    }

    private void publish(String markdown) throws Exception {
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            HttpResponse<String> session = dsl.get("/api/session");
            if (!json(session).get("staffAupToAccept").isNull()) {
                accept(dsl, json(session).get("staffAupToAccept").asText());
            }
            HttpResponse<String> answer = dsl.post("/api/aups", Json.write(Json.object().put("keyStage", "staff").put("markdown", markdown)));
            assertEquals(200, answer.statusCode(), answer.body());
        }
        clock.advance(Duration.ofMinutes(1));
    }

    private static void accept(StaffClient who, String version) throws Exception {
        HttpResponse<String> answer = who.post("/api/aups/staff/accept", "{\"version\":\"" + version + "\"}");
        assertEquals(200, answer.statusCode(), answer.body());
    }

    private static void assertRefusedForTheAup(HttpResponse<String> answer, String what) {
        assertEquals(403, answer.statusCode(), what + ": " + answer.body());
        assertTrue(answer.body().startsWith("staff-aup-not-accepted"), what + ": " + answer.body());
        assertEquals("staff-aup-not-accepted", answer.headers().firstValue("Haven-Refusal").orElse(""), what);
    }

    private List<JsonNode> records(String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = store.connect();
             PreparedStatement ps = c.prepareStatement("SELECT payload FROM events WHERE type = ? ORDER BY pos")) {
            ps.setString(1, type);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.parse(rs.getString(1).getBytes()));
                }
            }
        }
        return out;
    }

    @Test
    void noStaffAupPublishedAsksNothing() throws Exception {
        try (StaffClient teacher = as("teacher-a")) {
            assertTrue(json(teacher.get("/api/session")).get("staffAupToAccept").isNull());
            assertEquals(200, teacher.get("/api/incidents").statusCode());
            assertTrue(json(teacher.get("/api/aups/staff")).get("current").isNull());
            assertEquals(409, teacher.post("/api/aups/staff/accept", "{\"version\":\"1\"}").statusCode());
        }
    }

    @Test
    void aTeacherAcceptsEachNewVersionAtTheirNextLoginBeforeUsingTheDashboard() throws Exception {
        publish(V1);
        try (StaffClient teacher = as("teacher-a")) {
            assertEquals("1", json(teacher.get("/api/session")).get("staffAupToAccept").asText());
            assertRefusedForTheAup(teacher.get("/api/incidents"), "reading incidents");
            assertRefusedForTheAup(teacher.get("/api/snapshot"), "the live snapshot");
            assertRefusedForTheAup(teacher.post("/api/concerns", "{}"), "logging a concern");
            JsonNode aup = json(teacher.get("/api/aups/staff"));
            assertEquals("1", aup.at("/current/version").asText());
            assertEquals("Staff Acceptable Use Policy", aup.at("/current/title").asText());
            assertFalse(aup.get("accepted").asBoolean());
            assertEquals(400, teacher.post("/api/aups/staff/accept", "{\"version\":\"one\"}").statusCode());
            assertEquals(409, teacher.post("/api/aups/staff/accept", "{\"version\":\"7\"}").statusCode(), "only the version in force");
            assertRefusedForTheAup(teacher.get("/api/incidents"), "a wrong version accepts nothing");
            accept(teacher, "1");
            assertEquals(200, teacher.get("/api/incidents").statusCode());
            assertTrue(json(teacher.get("/api/session")).get("staffAupToAccept").isNull());
            accept(teacher, "1"); // twice is harmless
        }
        try (StaffClient teacher = as("teacher-a")) {
            assertTrue(json(teacher.get("/api/session")).get("staffAupToAccept").isNull(), "accepted once, not asked again");
            assertEquals(200, teacher.get("/api/incidents").statusCode());
            publish(V2);
            assertEquals(200, teacher.get("/api/incidents").statusCode(), "a session open when v2 is published goes on: asked at the next login");
        }
        try (StaffClient teacher = as("teacher-a")) {
            assertEquals("2", json(teacher.get("/api/session")).get("staffAupToAccept").asText());
            assertRefusedForTheAup(teacher.get("/api/incidents"), "v2 at the next login");
            assertEquals(409, teacher.post("/api/aups/staff/accept", "{\"version\":\"1\"}").statusCode(), "the old version does not do");
            accept(teacher, "2");
            assertEquals(200, teacher.get("/api/incidents").statusCode());
            assertEquals(204, teacher.post("/api/logout", "{}").statusCode());
        }
        List<JsonNode> accepted = records("coordinator.staff-aup-accepted");
        List<String> seen = accepted.stream().map(r -> r.at("/data/name").asText() + " v" + r.at("/data/version").asText()).toList();
        // The DSL published v1 while none was in force (not asked), and accepted it at the login that published v2.
        assertEquals(List.of("teacher-a v1", "dsl v1", "teacher-a v2"), seen, "one record per acceptance, none for the repeat");
        List<String> published = records("coordinator.aup-published").stream()
                .map(r -> r.at("/data/audience").asText() + " " + r.at("/data/keyStage").asText() + " v" + r.at("/data/version").asText()).toList();
        assertEquals(List.of("staff staff v1", "staff staff v2"), published);
        try (Connection c = store.connect()) {
            EvidenceCheck.Result result = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), () -> result.finding().orElseThrow().toString());
        }
    }

    @Test
    void aRefusedAupNamesTheFieldWithoutEchoingTheValue() throws Exception {
        // Found by IngestAndBodyFuzzTest: the 400 quoted the language and key stage it refused.
        try (StaffClient dsl = as("dsl")) {
            HttpResponse<String> language = dsl.post("/api/aups", Json.write(Json.object().put("keyStage", "staff")
                    .put("language", "Marker<b>").put("markdown", V1)));
            assertEquals(400, language.statusCode());
            assertTrue(language.body().startsWith("language must be"), language.body());
            assertFalse(language.body().contains("Marker"), language.body());
            HttpResponse<String> keyStage = dsl.post("/api/aups", Json.write(Json.object().put("keyStage", "Marker<b>").put("markdown", V1)));
            assertEquals(400, keyStage.statusCode());
            assertFalse(keyStage.body().contains("Marker"), keyStage.body());
        }
    }

    @Test
    void logoutAndTheLiveFeedWaitForAcceptanceToo() throws Exception {
        publish(V1);
        try (StaffClient teacher = as("teacher-a")) {
            teacher.openLive();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !teacher.liveIsOpen());
            assertTrue(teacher.received.isEmpty(), "the live feed opens only after acceptance");
            assertEquals(204, teacher.post("/api/logout", "{}").statusCode(), "logging out is always possible");
        }
    }

    @Test
    void governorsAreNotAskedAndTheirReportCountsWithoutNames() throws Exception {
        publish(V1);
        try (StaffClient gov = as("gov")) {
            assertTrue(json(gov.get("/api/session")).get("staffAupToAccept").isNull(), "governors are not staff");
            JsonNode counts = json(gov.get("/api/reports")).get("staffAup");
            // Nobody has accepted yet (the DSL published it while none was in force); the governor is not counted.
            assertEquals("1", counts.get("version").asText());
            assertEquals(0, counts.get("accepted").asInt());
            assertEquals(4, counts.get("notYet").asInt());
            String report = gov.get("/api/reports").body();
            for (String name : List.of("dsl", "head", "teacher-a", "teacher-b")) {
                assertFalse(report.contains("\"" + name + "\""), "the report names nobody: " + name);
            }
            assertEquals(403, gov.get("/api/aups/staff/acceptance").statusCode());
            assertEquals(400, gov.post("/api/aups/staff/accept", "{\"version\":\"1\"}").statusCode());
        }
        try (StaffClient teacher = as("teacher-b")) {
            accept(teacher, "1");
        }
        try (StaffClient head = as("head")) {
            assertRefusedForTheAup(head.get("/api/aups/staff/acceptance"), "the head too accepts first");
            accept(head, "1");
            JsonNode who = json(head.get("/api/aups/staff/acceptance"));
            assertEquals("1", who.get("version").asText());
            List<String> notYet = new ArrayList<>();
            who.get("notYet").forEach(r -> notYet.add(r.get("name").asText() + " " + r.get("role").asText()
                    + " last " + r.get("lastAccepted").asText("never")));
            assertEquals(List.of("dsl coordinator last never", "teacher-a teacher last never"), notYet);
            assertEquals(2, who.get("accepted").size());
        }
        try (StaffClient gov = as("gov")) {
            JsonNode counts = json(gov.get("/api/reports")).get("staffAup");
            assertEquals(2, counts.get("accepted").asInt());
            assertEquals(2, counts.get("notYet").asInt());
        }
        try (StaffClient teacher = as("teacher-a")) {
            assertEquals(403, teacher.get("/api/aups/staff/acceptance").statusCode(), "a teacher does not see who has accepted");
        }
    }
}
