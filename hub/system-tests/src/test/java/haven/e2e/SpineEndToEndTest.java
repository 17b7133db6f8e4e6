package haven.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.classroom.Hub;
import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real broker (Moquette), real SQLite files, real HTTP and WebSocket: a press reaches the dashboard. */
class SpineEndToEndTest {
    private static final String PASSWORD = School.PASSWORD;

    @TempDir
    Path dir;

    private School school;
    private Coordinator coordinator;
    private Hub hub;
    private MqttClient spy;
    private final List<String[]> seenOnWire = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        school = School.start(dir);
        coordinator = school.coordinator();
        int mqttPort = school.broker().port();
        school.staff("dsl", Role.COORDINATOR);
        spy = new MqttClient("tcp://127.0.0.1:" + mqttPort, "spy", new MemoryPersistence());
        spy.connect(new MqttConnectOptions());
        spy.subscribe("haven/v1/+/+/event/#", 1, (topic, msg) -> seenOnWire.add(new String[] {topic, new String(msg.getPayload())}));
        hub = school.hub("year5");
    }

    @AfterEach
    void stop() throws Exception {
        spy.disconnect();
        spy.close();
        school.close();
    }

    private static HttpResponse<String> press(int kioskPort) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kioskPort + "/api/sim/button"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aSimulatedPressAppearsLiveOnTheDashboardAndInBothDatabases() throws Exception {
        try (StaffClient staff = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, staff.login("dsl", PASSWORD));
            staff.openLive();
            await().atMost(Duration.ofSeconds(10)).until(() -> staff.received.stream().anyMatch(m ->
                    m.path("kind").asText().equals("room") && m.path("room").path("online").asBoolean()
                            || m.path("kind").asText().equals("snapshot") && m.path("rooms").size() == 1
                            && m.path("rooms").get(0).path("online").asBoolean()));

            assertEquals(202, press(hub.kioskPort()).statusCode());

            JsonNode incident = await().atMost(Duration.ofSeconds(5)).until(() -> staff.received.stream()
                    .filter(m -> m.path("kind").asText().equals("incident"))
                    .map(m -> m.get("incident")).findFirst().orElse(null), i -> i != null);
            assertEquals("open", incident.get("status").asText());
            assertEquals("year5", incident.get("room").asText());
            assertEquals(1, incident.get("presses").asInt());
            assertTrue(hub.leds().isReportPending(), "the amber LED confirms the press");

            String reportId = incident.get("reportId").asText();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
                 ResultSet rs = c.createStatement().executeQuery(
                         "SELECT count(*) FROM events WHERE id = '" + reportId + "' AND type = 'worry.reported'")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the coordinator's event log holds the report");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> hub.outbox().unsentCount() == 0);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + hub.config().database());
                 ResultSet rs = c.createStatement().executeQuery(
                         "SELECT sent_at FROM outbox WHERE id = '" + reportId + "'")) {
                assertTrue(rs.next(), "the hub's outbox kept the event");
                assertNotNull(rs.getString(1), "marked sent after the PUBACK");
            }

            String[] wire = seenOnWire.stream().filter(w -> w[0].endsWith("/event/worry.reported")).findFirst().orElseThrow();
            assertEquals("haven/v1/test-school/year5/event/worry.reported", wire[0]);
            Event decoded = new EventCodec().decode(wire[0], wire[1].getBytes());
            assertEquals(EventType.WORRY_REPORTED, decoded.type());
            assertEquals(reportId, decoded.id());
            assertTrue(wire[1].matches(".*\"at\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\".*"), wire[1]);
            assertEquals(List.of("id", "seq", "type", "site", "room", "at", "data"),
                    iterable(Json.parse(wire[1].getBytes())));
        }
    }

    @Test
    void staffAcknowledgementReachesTheKioskAndTheLed() throws Exception {
        try (StaffClient staff = new StaffClient(coordinator.httpPort())) {
            staff.login("dsl", PASSWORD);
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
            press(hub.kioskPort());
            await().atMost(Duration.ofSeconds(5)).until(() -> staff.get("/api/incidents?status=open").body().contains("year5"));
            long id = Json.parse(staff.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();

            assertEquals(403, staff.postWithoutCsrf("/api/incidents/" + id + "/ack", "{}").statusCode());
            HttpResponse<String> ack = staff.post("/api/incidents/" + id + "/ack", "{}");
            assertEquals(200, ack.statusCode(), ack.body());
            assertEquals(409, staff.post("/api/incidents/" + id + "/ack", "{}").statusCode(), "acknowledged once only");

            await().atMost(Duration.ofSeconds(5)).until(() -> hub.classroom().view().get("screen").asText().equals("acknowledged"));
            assertFalse(hub.leds().isReportPending());
            await().atMost(Duration.ofSeconds(5)).until(() -> seenOnWire.stream().anyMatch(w -> w[0].endsWith("/event/cmd.applied")));
        }
    }

    @Test
    void theApiAndTheLiveFeedAreClosedWithoutALogin() throws Exception {
        try (StaffClient stranger = new StaffClient(coordinator.httpPort())) {
            assertEquals(401, stranger.get("/api/incidents?status=open").statusCode());
            assertEquals(401, stranger.get("/api/rooms").statusCode());
            assertEquals(401, stranger.post("/api/incidents/1/ack", "{}").statusCode());
            assertEquals(401, stranger.login("dsl", "wrong-password-here"));
            assertEquals(200, stranger.get("/health").statusCode());
            stranger.openLive();
            await().atMost(Duration.ofSeconds(5)).until(() -> !stranger.liveIsOpen());
            assertTrue(stranger.received.isEmpty(), "no snapshot for a stranger");
        }
    }

    @Test
    void theSessionCookieIsHttpOnlyAndStrict() throws Exception {
        try (StaffClient staff = new StaffClient(coordinator.httpPort())) {
            String header = staff.setCookieHeaderOf("dsl", PASSWORD);
            assertTrue(header.contains("HttpOnly"), header);
            assertTrue(header.contains("SameSite=Strict"), header);
        }
    }

    @Test
    void everyReadOfIncidentsIsAudited() throws Exception {
        try (StaffClient staff = new StaffClient(coordinator.httpPort())) {
            staff.login("dsl", PASSWORD);
            staff.get("/api/incidents?status=open");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
                 ResultSet rs = c.createStatement().executeQuery(
                         "SELECT count(*) FROM audit WHERE actor = 'dsl' AND action = 'list-incidents'")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

}
