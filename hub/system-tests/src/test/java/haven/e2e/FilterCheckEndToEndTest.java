package haven.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
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

        ObjectNode h = Stack.hubJson("year5", broker.port(), dir);
        h.putObject("filter").put("simulate", true).putArray("simulateReachable").add("games");
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());

        try (StaffClient tech = new StaffClient(coordinator.httpPort());
             StaffClient teacher = new StaffClient(coordinator.httpPort());
             StaffClient governor = new StaffClient(coordinator.httpPort())) {
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
            assertEquals(403, governor.post("/api/filter-checks/" + id + "/action", "{\"action\":\"x\"}").statusCode());
            assertEquals(400, tech.post("/api/filter-checks/" + id + "/action", "{\"action\":\"\"}").statusCode());
            assertEquals(201, tech.post("/api/filter-checks/" + id + "/action",
                    "{\"action\":\"Games category added to the filter's block list; re-checked\"}").statusCode());
            assertEquals(409, tech.post("/api/filter-checks/" + id + "/action", "{\"action\":\"again\"}").statusCode());
            JsonNode after = checks(tech).get(0);
            assertEquals("closed", after.get("incident").asText());
            assertEquals("Games category added to the filter's block list; re-checked", after.get("action").asText());

            var csv = tech.get("/api/filter-checks.csv");
            assertEquals(200, csv.statusCode());
            assertTrue(csv.body().startsWith("at,by,site,room,category,target,expected,result,evidence,action"), csv.body());
            assertTrue(csv.body().contains("\"games\",\"http://games.filter-test.invalid/\",\"blocked\",\"reachable\""), csv.body());
        }
    }
}
