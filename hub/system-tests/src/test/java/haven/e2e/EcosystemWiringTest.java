package haven.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Home Assistant discovery and /metrics, as wired into the running hub and coordinator. */
class EcosystemWiringTest {
    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Hub hub;
    private MqttClient homeAssistant;
    private final Map<String, String> retained = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        coordinator = Coordinator.start(Stack.coordinator(broker.port(), dir), Clock.systemUTC());
        homeAssistant = new MqttClient("tcp://127.0.0.1:" + broker.port(), "home-assistant", new MemoryPersistence());
        homeAssistant.connect(new MqttConnectOptions());
        homeAssistant.subscribe(new String[] {"homeassistant/#", "haven/v1/+/+/ha/state"}, new int[] {1, 1},
                new org.eclipse.paho.client.mqttv3.IMqttMessageListener[] {
                    (t, m) -> retained.put(t, new String(m.getPayload())), (t, m) -> retained.put(t, new String(m.getPayload()))});
        ObjectNode h = Stack.hubJson("year5", broker.port(), dir);
        h.putObject("homeAssistant").put("enabled", true);
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
        homeAssistant.disconnect();
        homeAssistant.close();
        coordinator.close();
        broker.close();
        http.close();
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void anOptedInHubAnnouncesItselfToHomeAssistantAndItsStateFollowsThePress() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> retained.keySet().stream().filter(t -> t.startsWith("homeassistant/")).count() == 3);
        String stateTopic = "haven/v1/test-school/year5/ha/state";
        await().atMost(Duration.ofSeconds(5)).until(() -> retained.containsKey(stateTopic));
        assertEquals(false, Json.parse(retained.get(stateTopic).getBytes()).get("worryOpen").asBoolean());
        hub.classroom().press();
        await().atMost(Duration.ofSeconds(5)).until(() -> Json.parse(retained.get(stateTopic).getBytes()).get("worryOpen").asBoolean());
        // A later event from the same hub arrives after the state message: once it is logged, the state was seen.
        long before = coordinator.ingest().accepted();
        hub.classroom().detail("other", null);
        await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.ingest().accepted() > before);
        assertEquals(0, coordinator.ingest().rejected(), "the coordinator ignores the Home Assistant state topic");
    }

    @Test
    void bothRolesServePrometheusMetrics() throws Exception {
        hub.classroom().press();
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.ingest().accepted() >= 2);
        String hubMetrics = get("http://127.0.0.1:" + hub.kioskPort() + "/metrics");
        assertTrue(hubMetrics.contains("haven_outbox_depth") && hubMetrics.contains("haven_events_published_total"), hubMetrics);
        String coordinatorMetrics = get("http://127.0.0.1:" + coordinator.httpPort() + "/metrics");
        assertTrue(coordinatorMetrics.matches("(?s).*haven_events_ingested_total [1-9].*"), coordinatorMetrics);
        assertTrue(coordinatorMetrics.contains("haven_press_to_ingest_seconds_count 1"), coordinatorMetrics);
    }
}
