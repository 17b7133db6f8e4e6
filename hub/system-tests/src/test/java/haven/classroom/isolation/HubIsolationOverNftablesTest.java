package haven.classroom.isolation;

import haven.testkit.ClassroomNetwork;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import haven.testkit.Stack;
import haven.testkit.StaffClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product on a real (namespaced) classroom network: the teacher turns the key on the hub that is
 * the classroom gateway, the pupil computer's traffic stops within a second while its interface and address
 * stay as they were, the technician still reaches it, a hub restart keeps it cut off, and two senior
 * sign-offs on the dashboard let it back on.
 */
class HubIsolationOverNftablesTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private ClassroomNetwork net;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Hub hub;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        net = ClassroomNetwork.create();
        broker = EmbeddedBroker.start(Ports.free(), null);
        coordinator = Coordinator.start(Stack.coordinator(broker.port(), dir), Clock.systemUTC());
        coordinator.staff().put("slt-one", Role.SENIOR, PASSWORD.toCharArray());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        hub = startHub();
    }

    private Hub startHub() throws Exception {
        ObjectNode h = Stack.hubJson("ict-suite", broker.port(), dir);
        h.putObject("isolation").put("backend", "nftables")
                .putObject("nftables").put("netns", net.gwNs).put("allowIp", ClassroomNetwork.TECHNICIAN_IP);
        h.putArray("computers").addObject().put("name", "PC-07").put("mac", ClassroomNetwork.PUPIL_MAC)
                .put("ip", ClassroomNetwork.PUPIL_IP);
        Hub started = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).until(() -> started.mqtt().isSubscribed());
        return started;
    }

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
        http.close();
        if (net != null) {
            net.close();
        }
    }

    private int kiosk(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private boolean pupilReachesSchool() {
        return net.fromPupil.reach(ClassroomNetwork.SCHOOL_IP).reachable();
    }

    @Test
    void theKeyCutsThePupilComputerOffAndOnlyTwoSeniorsLetItBackOn() throws Exception {
        assertTrue(pupilReachesSchool(), "traffic flows before anything happens");
        String interfaceBefore = ClassroomNetwork.sh(ClassroomNetwork.IP.toString(), "-n", net.pupilNs, "-br", "addr");

        assertEquals(202, kiosk("/api/sim/switch", "{\"on\":true}"));
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.isolation().choosingUntil().isPresent());
        Instant chosen = Instant.now();
        assertEquals(202, kiosk("/api/kiosk/isolate", "{\"machine\":\"PC-07\"}"));
        assertTrue(ClassroomNetwork.eventually(false, this::pupilReachesSchool, Duration.ofSeconds(1)),
                "pupil traffic stopped within 1 s of the teacher's choice");
        assertTrue(Duration.between(chosen, Instant.now()).toMillis() < 2500);
        assertEquals(interfaceBefore, ClassroomNetwork.sh(ClassroomNetwork.IP.toString(), "-n", net.pupilNs, "-br", "addr"),
                "the pupil computer's own interface and address are untouched");
        assertTrue(net.fromTechnician.reach(ClassroomNetwork.PUPIL_IP).reachable(), "the technician still reaches it");

        // A reboot of the hub: the kernel's rules are gone, the hub's SQLite remembers.
        hub.close();
        ClassroomNetwork.sh(ClassroomNetwork.IP.toString(), "netns", "exec", net.gwNs, ClassroomNetwork.NFT.toString(),
                "delete", "table", "inet", "haven");
        assertTrue(ClassroomNetwork.eventually(true, this::pupilReachesSchool, Duration.ofSeconds(3)), "the reboot lost the rules");
        hub = startHub();
        assertTrue(ClassroomNetwork.eventually(false, this::pupilReachesSchool, Duration.ofSeconds(2)),
                "re-applied at start: a reboot does not silently release the machine");

        try (StaffClient one = new StaffClient(coordinator.httpPort()); StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            one.login("slt-one", PASSWORD);
            dsl.login("dsl", PASSWORD);
            await().atMost(Duration.ofSeconds(5)).until(() -> Json.parse(one.get("/api/isolations").body().getBytes())
                    .get("isolations").size() == 1);
            JsonNode iso = Json.parse(one.get("/api/isolations").body().getBytes()).get("isolations").get(0);
            assertEquals("active", iso.get("status").asText());
            assertTrue(iso.get("verified").asBoolean(), "the hub read the rule back from the kernel");
            long id = iso.get("id").asLong();
            one.post("/api/isolations/" + id + "/signoff", "{}");
            assertTrue(!pupilReachesSchool(), "one sign-off releases nothing");
            dsl.post("/api/isolations/" + id + "/signoff", "{}");
        }
        assertTrue(ClassroomNetwork.eventually(true, this::pupilReachesSchool, Duration.ofSeconds(5)),
                "after two sign-offs the pupil computer is back on the network");
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.isolation().activeNames().equals(List.of()));
    }
}
