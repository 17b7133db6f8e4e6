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
import haven.coordinator.Role;
import haven.protocol.Json;
import haven.testkit.School;
import haven.testkit.StaffClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The panic-isolate flow through the real hub, broker and coordinator, with the manual backend. */
class IsolationEndToEndTest {
    private static final String PASSWORD = School.PASSWORD;

    @TempDir
    Path dir;

    private School school;
    private Coordinator coordinator;
    private Hub hub;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<StaffClient> staff = new ArrayList<>();

    private ObjectNode hubJson(int chooseSeconds) {
        ObjectNode h = school.hubJson("ict-suite");
        h.putObject("isolation").put("backend", "manual").put("chooseSeconds", chooseSeconds);
        var computers = h.putArray("computers");
        for (int i = 1; i <= 3; i++) {
            computers.addObject().put("name", "PC-0" + i).put("mac", "02:00:5e:00:00:0" + i).put("ip", "10.200.0.1" + i);
        }
        return h;
    }

    @BeforeEach
    void start() throws Exception {
        school = School.start(dir);
        coordinator = school.coordinator();
        school.staff("slt-one", Role.SENIOR);
        school.staff("slt-two", Role.SENIOR);
        school.staff("teacher", Role.TEACHER);
        hub = startHub(20);
    }

    private Hub startHub(int chooseSeconds) throws Exception {
        Hub h = Hub.start(HubConfig.from(ConfigFile.of("test hub", hubJson(chooseSeconds))), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).until(() -> h.mqtt().isSubscribed());
        return h;
    }

    @AfterEach
    void stop() {
        staff.forEach(StaffClient::close);
        hub.close();
        school.close();
        http.close();
    }

    private StaffClient login(String name) throws Exception {
        StaffClient client = new StaffClient(coordinator.httpPort());
        assertEquals(200, client.login(name, PASSWORD));
        staff.add(client);
        return client;
    }

    private HttpResponse<String> kiosk(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode kioskView() throws Exception {
        return Json.parse(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/kiosk")).build(),
                HttpResponse.BodyHandlers.ofString()).body().getBytes());
    }

    private JsonNode isolations(StaffClient who) throws Exception {
        return Json.parse(who.get("/api/isolations").body().getBytes()).get("isolations");
    }

    private long loggedEvents(String type) throws Exception {
        return school.loggedEvents(type);
    }

    @Test
    void theKeyOpensTheChooserAndTheChosenComputerIsIsolatedUntilTwoSeniorsSignOff() throws Exception {
        StaffClient one = login("slt-one");
        StaffClient two = login("slt-two");
        StaffClient teacher = login("teacher");

        assertEquals(202, kiosk("/api/sim/switch", "{\"on\":true}").statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> kioskView().path("isolation").has("choosing"));
        assertEquals(3, kioskView().path("isolation").path("choosing").path("computers").size());

        assertEquals(202, kiosk("/api/kiosk/isolate", "{\"machine\":\"PC-02\"}").statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> isolations(one).size() == 1
                && isolations(one).get(0).path("status").asText().equals("manual"));
        JsonNode iso = isolations(one).get(0);
        assertEquals("PC-02", iso.get("machine").asText());
        assertTrue(hub.leds().isIsolationActive(), "the red LED shows an isolation is active");
        assertEquals(List.of("PC-02"), hub.isolation().activeNames());
        JsonNode shown = kioskView().path("isolation").path("active").get(0);
        assertTrue(shown.get("manual").asBoolean(), "manual backend: the kiosk tells the teacher to unplug the cable");

        assertEquals(202, kiosk("/api/sim/switch", "{\"on\":false}").statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> loggedEvents("switch.changed") == 2);
        assertEquals(List.of("PC-02"), hub.isolation().activeNames(), "turning the key back releases nothing");

        long id = iso.get("id").asLong();
        assertEquals(403, teacher.post("/api/isolations/" + id + "/signoff", "{}").statusCode(), "a teacher cannot sign off");
        JsonNode first = Json.parse(one.post("/api/isolations/" + id + "/signoff", "{}").body().getBytes());
        assertFalse(first.get("releaseSent").asBoolean());
        assertEquals(1, first.get("stillNeeded").asInt());
        JsonNode again = Json.parse(one.post("/api/isolations/" + id + "/signoff", "{}").body().getBytes());
        assertFalse(again.get("releaseSent").asBoolean(), "the same person twice does not release");
        assertEquals(List.of("PC-02"), hub.isolation().activeNames());

        JsonNode second = Json.parse(two.post("/api/isolations/" + id + "/signoff", "{}").body().getBytes());
        assertTrue(second.get("releaseSent").asBoolean());
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.isolation().activeNames().isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> isolations(one).isEmpty());
        assertFalse(hub.leds().isIsolationActive());
        assertEquals(1, loggedEvents("isolation.requested"));
        assertEquals(1, loggedEvents("isolation.applied"));
        assertEquals(1, loggedEvents("isolation.released"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM audit WHERE action = 'isolation-signoff'")) {
            rs.next();
            assertEquals(3, rs.getInt(1), "every sign-off attempt by senior staff is audited");
        }
    }

    @Test
    void noChoiceInTimeIsolatesEveryPupilComputerOfTheRoom() throws Exception {
        hub.close();
        hub = startHub(1);
        kiosk("/api/sim/switch", "{\"on\":true}");
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.isolation().activeNames().size() == 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> loggedEvents("isolation.applied") == 3);
    }

    @Test
    void anActiveIsolationIsInForceAgainAfterAHubRestart() throws Exception {
        kiosk("/api/sim/switch", "{\"on\":true}");
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.isolation().choosingUntil().isPresent());
        kiosk("/api/kiosk/isolate", "{\"machine\":\"PC-03\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.isolation().activeNames().equals(List.of("PC-03")));
        hub.close();
        hub = startHub(20);
        assertEquals(List.of("PC-03"), hub.isolation().activeNames(), "re-applied at start, before anyone asks");
        assertTrue(hub.leds().isIsolationActive());
        await().atMost(Duration.ofSeconds(5)).until(() -> loggedEvents("isolation.applied") == 2);
    }

    @Test
    void seniorStaffCanStartTheFlowFromTheDashboard() throws Exception {
        StaffClient one = login("slt-one");
        StaffClient teacher = login("teacher");
        assertEquals(403, teacher.post("/api/rooms/test-school/ict-suite/isolate", "{}").statusCode());
        assertEquals(202, one.post("/api/rooms/test-school/ict-suite/isolate", "{}").statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.isolation().choosingUntil().isPresent());
        assertEquals(202, one.post("/api/rooms/test-school/ict-suite/isolate", "{\"machine\":\"PC-01\"}").statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.isolation().activeNames().equals(List.of("PC-01")));
    }

    @Test
    void theKioskRefusesAChoiceWhenTheKeyWasNotTurned() throws Exception {
        assertEquals(409, kiosk("/api/kiosk/isolate", "{\"machine\":\"PC-01\"}").statusCode());
        assertTrue(hub.isolation().activeNames().isEmpty());
    }
}
