package haven.classroom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigException;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.AupMessage;
import haven.protocol.Command;
import haven.protocol.CommandName;
import haven.protocol.CoordinatorSigner;
import haven.protocol.Json;
import haven.protocol.SignatureVerifier.Reason;
import haven.protocol.Topics;
import haven.protocol.UuidV7;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #17: on the anonymous demo broker (and for anyone holding a hub's broker password) a forged cmd/ack told a
 * pupil an adult had seen a worry that was still open. The hub now acts only on what the coordinator signed
 * (docs/SECURITY.md, "Signed commands"); every message here goes straight to the embedded Moquette broker from a
 * plain Paho client, as an attacker's would.
 */
class SignedCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private MqttClient attacker;
    private Hub hub;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        hub = startHub();
        attacker = new MqttClient("tcp://127.0.0.1:" + broker.port(), "not-the-coordinator", new MemoryPersistence());
        attacker.connect(new MqttConnectOptions());
    }

    @AfterEach
    void stop() throws Exception {
        if (attacker.isConnected()) {
            attacker.disconnect();
        }
        attacker.close();
        if (hub != null) {
            hub.close();
        }
        broker.close();
    }

    private Hub startHub() throws Exception {
        Hub started = Hub.start(HubConfig.from(ConfigFile.of("test hub", Stack.hubJson("year5", broker.port(), dir))), Clock.systemUTC());
        await().atMost(WAIT).until(() -> started.mqtt().isSubscribed());
        return started;
    }

    /** A press, and the id of the report now on the kiosk. */
    private String press() {
        hub.classroom().press();
        assertTrue(hub.classroom().worryOpen());
        return hub.classroom().view().path("report").path("id").asText();
    }

    private static byte[] ack(String report, Instant at) {
        ObjectNode args = Json.object().put("report", report).put("incident", 1);
        return new Command(new UuidV7(Clock.systemUTC()).next().toString(), at, CommandName.ACK, "coordinator", "dsl", args).encode();
    }

    private String ackTopic() {
        return Topics.command(hub.config().room(), CommandName.ACK);
    }

    private void publish(String topic, byte[] payload, boolean retained) throws Exception {
        attacker.publish(topic, payload, 1, retained);
    }

    private long applied() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + hub.config().database());
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE topic LIKE '%/event/cmd.applied'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String metrics() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void aForgedAckPublishedStraightToTheBrokerDoesNotAcknowledgeTheKiosksReport() throws Exception {
        String report = press();

        publish(ackTopic(), ack(report, Instant.now()), false);

        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.UNSIGNED) == 1);
        assertTrue(hub.classroom().worryOpen(), "the worry is still open: no adult has seen it");
        assertEquals("thanks", hub.classroom().view().path("screen").asText(), "the kiosk does not say an adult has seen it");
        assertEquals(0, applied(), "no cmd.applied receipt for a forged command");
        assertTrue(metrics().contains("haven_commands_refused_total{reason=\"unsigned\"} 1.0"), metrics());

        // The coordinator's own acknowledgement of the same report still reaches the pupil.
        publish(ackTopic(), Stack.SIGNER.sign(ackTopic(), ack(report, Instant.now())), false);
        await().atMost(WAIT).until(() -> !hub.classroom().worryOpen());
        assertEquals("acknowledged", hub.classroom().view().path("screen").asText());
        assertEquals(1, applied());
    }

    @Test
    void aCommandSignedByAnotherKeyIsRefused() throws Exception {
        String report = press();
        CoordinatorSigner hostile = CoordinatorSigner.generate();

        publish(ackTopic(), hostile.sign(ackTopic(), ack(report, Instant.now())), false);
        // The same forgery claiming the coordinator's key id: a label can be copied, a signature cannot.
        ObjectNode claimed = (ObjectNode) Json.parse(hostile.sign(ackTopic(), ack(report, Instant.now())));
        ((ObjectNode) claimed.get("sig")).put("key", Stack.SIGNER.publicKey().id());
        publish(ackTopic(), Json.write(claimed).getBytes(StandardCharsets.UTF_8), false);

        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.OTHER_KEY) == 1
                && hub.commandGate().refused(Reason.BAD_SIGNATURE) == 1);
        assertTrue(hub.classroom().worryOpen());
        assertEquals(0, applied());
    }

    @Test
    void aSignedAckForAnotherRoomIsRefusedBecauseTheTopicIsSigned() throws Exception {
        String report = press();
        String otherRoom = Topics.command(new haven.protocol.RoomId(hub.config().room().site(), "year6"), CommandName.ACK);

        publish(ackTopic(), Stack.SIGNER.sign(otherRoom, ack(report, Instant.now())), false);

        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.BAD_SIGNATURE) == 1);
        assertTrue(hub.classroom().worryOpen());
    }

    @Test
    void aReplayedGenuineCommandIsRefusedAlsoAfterTheHubRestarts() throws Exception {
        String report = press();
        byte[] genuine = Stack.SIGNER.sign(ackTopic(), ack(report, Instant.now()));
        publish(ackTopic(), genuine, false);
        await().atMost(WAIT).until(() -> applied() == 1);

        publish(ackTopic(), genuine, false);
        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.REPLAYED) == 1);

        hub.close();
        hub = startHub();
        publish(ackTopic(), genuine, false);
        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.REPLAYED) == 1);
        assertEquals(1, applied(), "one receipt: the command was acted on once");
    }

    @Test
    void aGenuineCommandOutsideTheTimeWindowIsRefusedAsStale() throws Exception {
        String report = press();

        publish(ackTopic(), Stack.SIGNER.sign(ackTopic(), ack(report, Instant.now().minus(Duration.ofMinutes(11)))), false);
        publish(ackTopic(), Stack.SIGNER.sign(ackTopic(), ack(report, Instant.now().plus(Duration.ofMinutes(11)))), false);

        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.STALE) == 2);
        assertTrue(hub.classroom().worryOpen());
        assertEquals(0, applied());
    }

    @Test
    void aForgedRetainedAupIsNotShownButTheCoordinatorsSignedOneIs() throws Exception {
        String topic = Topics.aup(hub.config().room().site(), hub.config().keyStage());
        String shown = hub.classroom().aup().version();

        publish(topic, new AupMessage(hub.config().keyStage(), "forged", "Forged", "# Forged\n", Instant.now()).encode(), true);
        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.UNSIGNED) == 1);
        assertEquals(shown, hub.classroom().aup().version());
        // Clearing a retained topic carries no signature either (it would stop the filter checks): refused.
        publish(Topics.filterTargets(hub.config().room().site()), new byte[0], true);
        await().atMost(WAIT).until(() -> hub.commandGate().refused(Reason.UNSIGNED) == 2);

        publish(topic, Stack.SIGNER.sign(topic, new AupMessage(hub.config().keyStage(), "signed-2", "Our rules", "# Our rules\n",
                Instant.now()).encode()), true);
        await().atMost(WAIT).until(() -> hub.classroom().aup().version().equals("signed-2"));
    }

    @Test
    void aHubThatVerifiesNothingOnPurposeStillReadsTheSigningCoordinatorsStrictPayloads() throws Exception {
        hub.close();
        ObjectNode yaml = Stack.hubJson("year5", broker.port(), dir);
        yaml.putObject("coordinator").put("unsignedCommands", true);
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", yaml)), Clock.systemUTC());
        await().atMost(WAIT).until(() -> hub.mqtt().isConnected());
        String topic = Topics.filterTargets(hub.config().room().site());
        haven.protocol.FilterTargets targets = new haven.protocol.FilterTargets(Instant.now(),
                java.util.List.of(new haven.protocol.FilterTargets.Target("adult", "adult.test", "blocked")),
                java.util.List.of(), java.util.List.of(), java.util.List.of());

        publish(topic, Stack.SIGNER.sign(topic, targets.encode()), true);

        await().atMost(WAIT).until(() -> hub.filterCheck().hasTargets());
        assertEquals(0, hub.commandGate().refusedByReason().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void aHubWithoutTheCoordinatorsKeyRefusesToStartUnlessUnsignedCommandsIsSetOnPurpose() {
        ObjectNode yaml = Stack.hubJson("year7", broker.port(), dir);
        yaml.remove("coordinator");

        ConfigException refused = assertThrows(ConfigException.class, () -> HubConfig.from(ConfigFile.of("hub.yaml", yaml)));
        assertTrue(refused.getMessage().contains("coordinator.publicKey must be set"), refused.getMessage());

        yaml.putObject("coordinator").put("unsignedCommands", true);
        assertTrue(HubConfig.from(ConfigFile.of("hub.yaml", yaml)).coordinatorKey().isEmpty());

        ((ObjectNode) yaml.get("coordinator")).put("publicKey", Stack.SIGNER.publicKey().encoded());
        assertThrows(ConfigException.class, () -> HubConfig.from(ConfigFile.of("hub.yaml", yaml)), "both at once is a mistake");

        yaml.putObject("coordinator").put("publicKey", "not a key, and not echoed");
        ConfigException bad = assertThrows(ConfigException.class, () -> HubConfig.from(ConfigFile.of("hub.yaml", yaml)));
        assertFalse(bad.getMessage().contains("not echoed"), bad.getMessage());
    }
}
