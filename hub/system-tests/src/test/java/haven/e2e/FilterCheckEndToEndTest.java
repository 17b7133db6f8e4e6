package haven.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.evidence.EvidenceCheck;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import haven.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter check from the dashboard to the hub and back into the DfE check log, on a real broker. The hub's
 * network is the simulated one ("games" gets through), so the test sends nothing beyond loopback.
 */
class FilterCheckEndToEndTest {
    private static final String PASSWORD = "correct-horse-battery";
    @TempDir
    Path dir;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Hub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static JsonNode json(java.net.http.HttpResponse<String> res) {
        assertTrue(res.statusCode() / 100 == 2, res.statusCode() + ": " + res.body());
        return Json.parse(res.body().getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode checks(StaffClient staff) throws Exception {
        var res = staff.get("/api/filter-checks");
        assertEquals(200, res.statusCode(), res.body());
        return Json.parse(res.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTechniciansCheckReachesTheHubAndItsFailureIsLoggedUntilAnActionIsRecorded() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("keepAliveSeconds", 5).put("clientId", "coordinator-filter");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        haven.testkit.Stack.testSigningKey(c, dir);
        var sites = c.putArray("sites");
        sites.add("test-school");
        ObjectNode filter = c.putObject("filter");
        var targets = filter.putArray("targets");
        targets.addObject().put("category", "adult").put("target", "adult.filter-test.invalid");
        targets.addObject().put("category", "games").put("target", "http://games.filter-test.invalid/");
        filter.putArray("blockPageSignatures").add("Blocked by the school filter");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test coordinator", c)), Clock.systemUTC());
        coordinator.staff().put("tech", Role.TECHNICIAN, PASSWORD.toCharArray());
        coordinator.staff().put("teacher", Role.TEACHER, PASSWORD.toCharArray());
        coordinator.staff().put("governor", Role.GOVERNOR, PASSWORD.toCharArray());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());

        ObjectNode h = Stack.hubJson("year5", broker.port(), dir);
        h.putObject("filter").put("simulate", true).putArray("simulateReachable").add("games");
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());

        try (StaffClient tech = new StaffClient(coordinator.httpPort());
             StaffClient teacher = new StaffClient(coordinator.httpPort());
             StaffClient governor = new StaffClient(coordinator.httpPort());
             StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            dsl.openLive();
            assertEquals(200, tech.login("tech", PASSWORD));
            assertEquals(200, teacher.login("teacher", PASSWORD));
            assertEquals(200, governor.login("governor", PASSWORD));
            assertEquals(403, teacher.post("/api/rooms/test-school/year5/filter-check", "").statusCode());
            assertEquals(403, teacher.get("/api/filter-checks").statusCode());

            // The retained target list reaches the hub first; until then a hub has nothing to try.
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.filterCheck().hasTargets());
            // Commands are not retained: the hub must have its command subscription acknowledged before one is sent.
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.mqtt().isSubscribed());
            assertEquals(202, tech.post("/api/rooms/test-school/year5/filter-check", "").statusCode());
            await().atMost(Duration.ofSeconds(20)).until(() -> checks(tech).size() > 0);

            JsonNode check = checks(governor).get(0);
            assertEquals("tech", check.get("by").asText());
            assertEquals("year5", check.get("room").asText());
            assertTrue(check.hasNonNull("at"));
            assertTrue(check.get("action").isNull());
            assertEquals("open", check.get("incident").asText());
            assertTrue(check.get("failed").asBoolean());
            assertEquals(2, check.get("results").size());
            for (JsonNode r : check.get("results")) {
                assertEquals("blocked", r.get("expected").asText());
                assertEquals(r.get("category").asText().equals("games") ? "reachable" : "blocked", r.get("result").asText());
            }

            String id = check.get("id").asText();
            // The failed check is an incident for the technician, in full, with the check as its chronology.
            long incidentId = check.get("incidentId").asLong();
            JsonNode incident = json(tech.get("/api/incidents/" + incidentId));
            assertEquals("filter-check", incident.get("source").asText());
            assertEquals("open", incident.get("status").asText());
            assertFalse(incident.has("redacted"), incident.toString());
            assertEquals("filter.checked", incident.get("chronology").get(0).get("type").asText());
            assertEquals(409, dsl.post("/api/incidents/" + incidentId + "/ack", "{}").statusCode(), "closed by its action, not acknowledged");
            assertEquals(403, governor.post("/api/filter-checks/" + id + "/action", "{\"action\":\"x\"}").statusCode());
            assertEquals(400, tech.post("/api/filter-checks/" + id + "/action", "{\"action\":\"\"}").statusCode());
            assertEquals(201, tech.post("/api/filter-checks/" + id + "/action",
                    "{\"action\":\"Games category added to the filter's block list; re-checked\"}").statusCode());
            assertEquals(409, tech.post("/api/filter-checks/" + id + "/action", "{\"action\":\"again\"}").statusCode());
            JsonNode after = checks(tech).get(0);
            assertEquals("closed", after.get("incident").asText());
            assertEquals("Games category added to the filter's block list; re-checked", after.get("action").asText());
            JsonNode closed = json(tech.get("/api/incidents/" + incidentId));
            assertEquals("closed", closed.get("status").asText());
            assertEquals("filter-action-recorded", closed.get("outcome").asText());
            await().atMost(Duration.ofSeconds(10)).until(() -> dsl.received.stream().anyMatch(m -> m.path("kind").asText().equals("incident")
                    && m.path("incident").path("id").asLong() == incidentId && m.path("incident").path("status").asText().equals("closed")));
            assertTrue(coordinator.database().query(EvidenceCheck::run).intact(), "the incident's columns match the chain");

            // The governors' report counts it, without the target.
            JsonNode filtering = json(governor.get("/api/reports")).get("filtering");
            assertEquals(1, filtering.get(0).get("checks").asLong());
            assertEquals(1, filtering.get(0).get("failures").asLong());
            assertEquals(1, filtering.get(0).get("actionsRecorded").asLong());
            assertEquals(1, filtering.get(0).get("failedCategories").get("games").asLong());
            var report = governor.get("/api/reports/filtering.csv");
            assertEquals(200, report.statusCode());
            assertFalse(report.body().contains("filter-test.invalid"), report.body());
            assertEquals(403, tech.get("/api/reports/filtering.csv").statusCode());

            // A temporary unblock: the teacher asks, the DSL hears of it live, the technician decides.
            var asked = teacher.post("/api/unblock-requests", "{\"sites\":[\"video.example.org\"],\"reason\":\"Year 9 film project\","
                    + "\"group\":\"9H\",\"from\":\"" + java.time.Instant.now() + "\",\"until\":\""
                    + java.time.Instant.now().plus(Duration.ofDays(3)) + "\"}");
            assertEquals(201, asked.statusCode(), asked.body());
            long request = json(asked).get("id").asLong();
            await().atMost(Duration.ofSeconds(10)).until(() -> dsl.received.stream().anyMatch(m -> m.path("kind").asText().equals("unblockRequest")
                    && m.path("unblockRequest").path("id").asLong() == request));
            assertEquals(403, teacher.post("/api/unblock-requests/" + request + "/decision", "{\"decision\":\"approve\",\"reason\":\"x\"}").statusCode());
            var decided = tech.post("/api/unblock-requests/" + request + "/decision", "{\"decision\":\"approve\",\"reason\":\"Checked\"}");
            assertEquals(200, decided.statusCode(), decided.body());
            assertEquals("approved", json(teacher.get("/api/unblock-requests")).get(0).get("status").asText());
            assertEquals(403, governor.get("/api/unblock-requests").statusCode());

            var csv = tech.get("/api/filter-checks.csv");
            assertEquals(200, csv.statusCode());
            assertTrue(csv.body().startsWith("at,by,site,room,category,target,expected,result,evidence,action"), csv.body());
            assertTrue(csv.body().contains("\"games\",\"http://games.filter-test.invalid/\",\"blocked\",\"reachable\""), csv.body());
        }
    }
}
