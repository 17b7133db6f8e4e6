package haven.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.cli.HavenCli;
import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import haven.testkit.Stack;
import haven.testkit.StaffClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator publishes an AUP; the classroom shows it, keeps it across a reboot, and reports its version. */
class AupEndToEndTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private int mqttPort;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Hub hub;

    @BeforeEach
    void start() throws Exception {
        mqttPort = Ports.free();
        broker = EmbeddedBroker.start(mqttPort, null);
        coordinator = Coordinator.start(Stack.coordinator(mqttPort, dir), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("slt", Role.SENIOR, PASSWORD.toCharArray());
        hub = Hub.start(Stack.hub("year5", mqttPort, dir), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        coordinator.close();
        if (broker != null) {
            broker.close();
        }
    }

    private JsonNode room(StaffClient staff) throws Exception {
        return Json.parse(staff.get("/api/rooms").body().getBytes()).get("rooms").get(0);
    }

    @Test
    void aPublishedAupReachesTheKioskSurvivesARebootAndIsReportedBack() throws Exception {
        try (StaffClient dsl = new StaffClient(coordinator.httpPort()); StaffClient slt = new StaffClient(coordinator.httpPort())) {
            dsl.login("dsl", PASSWORD);
            slt.login("slt", PASSWORD);
            await().atMost(Duration.ofSeconds(5)).until(() -> room(dsl).path("aupVersion").asText().equals("sample-1"));

            ObjectNode body = Json.object();
            body.put("keyStage", "ks2");
            body.put("markdown", "# Our new rules\n\n- Be kind online.\n- <script>alert(1)</script> is shown as text.\n");
            assertEquals(403, slt.post("/api/aups", Json.write(body)).statusCode(), "only the DSL publishes");
            assertEquals(200, dsl.post("/api/aups", Json.write(body)).statusCode());

            await().atMost(Duration.ofSeconds(5)).until(() -> hub.classroom().aup().version().equals("1"));
            String html = hub.classroom().view().path("aup").path("html").asText();
            assertTrue(html.contains("Be kind online"));
            assertFalse(html.contains("<script>"), "raw HTML is escaped on the classroom screen");
            await().atMost(Duration.ofSeconds(5)).until(() -> room(dsl).path("aupVersion").asText().equals("1"));
        }

        // Reboot with the broker down: the cached AUP is on screen straight away.
        hub.close();
        broker.close();
        broker = null;
        hub = Hub.start(Stack.hub("year5", mqttPort, dir), Clock.systemUTC());
        assertEquals("1", hub.classroom().aup().version());
        assertEquals("Our new rules", hub.classroom().aup().title());
    }

    @Test
    void theCommandLinePublishesTheNextVersion() throws Exception {
        Path md = dir.resolve("ks2.md");
        Files.writeString(md, "# Rules from the command line\n\n- Tell a trusted adult.\n");
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("clientId", "aup-test");
        c.put("database", coordinator.database().file().toString());
        Path config = dir.resolve("coordinator.yaml");
        Files.writeString(config, Json.write(c));
        assertEquals(0, HavenCli.run("aup", "publish", "--key-stage", "ks2", "--by", "dsl", "--config", config.toString(), md.toString()));
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.classroom().aup().title().equals("Rules from the command line"));
        // The shell's publishing is a decision in the chain like the dashboard's (docs/EVIDENCE.md).
        coordinator.database().query(db -> {
            try (java.sql.ResultSet rs = db.getConnection().createStatement().executeQuery("SELECT payload FROM events WHERE type = 'coordinator.aup-published'")) {
                assertTrue(rs.next(), "the command line's AUP is a chained record");
                JsonNode data = Json.parse(rs.getString(1).getBytes()).get("data");
                assertEquals("ks2", data.get("keyStage").asText());
                assertEquals("dsl", data.get("by").asText());
                assertEquals("pupils", data.get("audience").asText());
            }
            assertTrue(haven.coordinator.evidence.EvidenceCheck.run(db).intact());
            return null;
        });
        assertEquals(2, HavenCli.run("aup", "publish", "--key-stage", "ks9", "--config", config.toString(), md.toString()),
                "an unknown key stage is a clear error");
    }

    private JsonNode kioskAup(String lang) throws Exception {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return Json.parse(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + hub.kioskPort()
                    + "/api/kiosk/aup?lang=" + lang)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body().getBytes());
        }
    }

    @Test
    void anAupPerKeyStageAndLanguageReachesTheKioskIsCachedAndEnglishStaysAsItWas() throws Exception {
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            dsl.login("dsl", PASSWORD);
            ObjectNode english = Json.object().put("keyStage", "ks2").put("markdown", "# Our rules\n\n- Be kind online.\n");
            assertEquals(200, dsl.post("/api/aups", Json.write(english)).statusCode());
            ObjectNode welsh = Json.object().put("keyStage", "ks2").put("language", "cy")
                    .put("markdown", "# Ein rheolau\n\n- Bydd yn garedig ar-lein.\n");
            var published = dsl.post("/api/aups", Json.write(welsh));
            assertEquals(200, published.statusCode(), published.body());
            JsonNode aups = Json.parse(published.body().getBytes());
            assertEquals("1", aups.path("latest").path("ks2").asText(), "English keeps its own versions: " + aups);
            assertEquals("1", aups.path("languages").path("ks2").path("cy").asText(), aups.toString());
            ObjectNode bad = Json.object().put("keyStage", "ks2").put("language", "Welsh!").put("markdown", "# X\n");
            assertEquals(400, dsl.post("/api/aups", Json.write(bad)).statusCode());

            await().atMost(Duration.ofSeconds(10)).until(() -> kioskAup("cy").path("title").asText().equals("Ein rheolau"));
            assertFalse(kioskAup("cy").path("fallback").asBoolean());
            assertEquals("cy", kioskAup("cy").path("language").asText());
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.classroom().aup().title().equals("Our rules"));
            JsonNode arabic = kioskAup("ar");
            assertTrue(arabic.path("fallback").asBoolean(), "no Arabic AUP: English, marked as a fallback: " + arabic);
            assertEquals("Our rules", arabic.path("title").asText());
            assertEquals("en", arabic.path("language").asText());
            await().atMost(Duration.ofSeconds(5)).until(() -> room(dsl).path("aupVersion").asText().equals("1"));
        }

        // The command line publishes the next Welsh version; English is untouched.
        Path md = dir.resolve("ks2-cy.md");
        Files.writeString(md, "# Rheolau newydd\n\n- Dyweda wrth oedolyn.\n");
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("clientId", "aup-test-cy");
        c.put("database", coordinator.database().file().toString());
        Path config = dir.resolve("coordinator-cy.yaml");
        Files.writeString(config, Json.write(c));
        assertEquals(0, HavenCli.run("aup", "publish", "--key-stage", "ks2", "--language", "cy", "--config", config.toString(), md.toString()));
        await().atMost(Duration.ofSeconds(10)).until(() -> kioskAup("cy").path("version").asText().equals("2"));
        assertEquals("Our rules", hub.classroom().aup().title());

        // Reboot with the broker down: each language comes back from the hub's cache.
        hub.close();
        broker.close();
        broker = null;
        hub = Hub.start(Stack.hub("year5", mqttPort, dir), Clock.systemUTC());
        assertEquals("Rheolau newydd", kioskAup("cy").path("title").asText());
        assertEquals("Our rules", hub.classroom().aup().title());
    }
}
