package haven.cli;

import haven.testkit.Repository;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProvisionHubCommandTest {
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Path ACL_EXAMPLE = Repository.file("firmware-config/mosquitto/acl.example");

    @TempDir
    Path dir;

    private Process mosquitto;
    private final List<MqttClient> clients = new ArrayList<>();

    @AfterEach
    void stopBrokerAndClients() throws InterruptedException {
        for (MqttClient client : clients) {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(1000);
                }
                client.close();
            } catch (MqttException e) {
                // already gone; nothing to release
            }
        }
        if (mosquitto != null) {
            mosquitto.destroy();
            if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
                mosquitto.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void passwordLineMatchesWhatMosquittoPasswdWritesForTheSameSalt() {
        // `mosquitto_passwd -c -b pw alice secret` (mosquitto 2.0.11) wrote this line.
        String expected = "alice:$7$101$xnnpSdE15NqpvQja$R6HD8qCm4v1VZsLC99sbgQKlxw8WlBTJvQOf6nBM5NWTPOVaD5QmOeAUfDaes"
                + "xen0ZA5dkEYKWB3xCmkFdraiA==";
        byte[] salt = Base64.getDecoder().decode("xnnpSdE15NqpvQja");

        assertEquals(expected, ProvisionHubCommand.passwordLine("alice", "secret".toCharArray(), salt));
    }

    @Test
    void anInvalidRoomIsRefusedWithExitCode2AndNoFilesWritten() {
        Path passwd = dir.resolve("passwd");

        int exit = HavenCli.run("provision-hub", "--site", "example-school", "--room", "Room 12",
                "--password-file", passwd.toString());

        assertEquals(2, exit);
        assertFalse(Files.exists(passwd));
    }

    @Test
    void theHubYamlItPrintsCarriesTheCoordinatorsPublicKeyAndLoadsAsAHubConfig() throws IOException {
        Files.writeString(dir.resolve("passwd"), "");
        Files.writeString(dir.resolve("acl"), "");
        String out = provision("example-school", "room-12", dir.resolve("passwd"), dir.resolve("acl"), "ssl://mqtt.school.example:8883");

        Path hubYaml = dir.resolve("hub.yaml");
        Files.writeString(hubYaml, out.substring(out.indexOf("site: ")));
        haven.classroom.HubConfig config = haven.classroom.HubConfig.from(haven.config.ConfigFile.load(hubYaml));
        assertEquals(haven.testkit.Stack.SIGNER.publicKey().id(), config.coordinatorKey().orElseThrow().id());
    }

    @Test
    void withoutTheCoordinatorsPublicKeyFileItStopsBeforeWritingAnything() {
        Path passwd = dir.resolve("passwd");

        int exit = HavenCli.run("provision-hub", "--site", "example-school", "--room", "room-12",
                "--password-file", passwd.toString(), "--coordinator-key", dir.resolve("missing.pub").toString());

        assertEquals(2, exit);
        assertFalse(Files.exists(passwd));
    }

    @Test
    void rerunningRotatesThePasswordWithoutDuplicatingTheHubsLines() throws IOException {
        Path passwd = dir.resolve("passwd");
        Path acl = dir.resolve("acl");
        Files.writeString(passwd, "haven-coordinator:$7$101$AAAA$BBBB\n");

        String first = provision("example-school", "room-12", passwd, acl, "ssl://mqtt.school.example:8883");
        String firstLine = lineOf(passwd, "hub-example-school-room-12:");
        String second = provision("example-school", "room-12", passwd, acl, "ssl://mqtt.school.example:8883");

        List<String> lines = Files.readAllLines(passwd);
        assertEquals(2, lines.size(), "coordinator line kept, one hub line: " + lines);
        assertEquals("haven-coordinator:$7$101$AAAA$BBBB", lines.getFirst());
        assertNotEquals(firstLine, lineOf(passwd, "hub-example-school-room-12:"));
        assertNotEquals(passwordIn(first), passwordIn(second));
        assertEquals(1, Files.readAllLines(acl).stream().filter("user hub-example-school-room-12"::equals).count());
        assertTrue(second.contains("already in"), second);
    }

    @Test
    void provisionedHubCanPublishItsOwnStatusButNotAnotherRoomsAndAWrongPasswordIsRefused() throws Exception {
        Path passwd = dir.resolve("passwd");
        Path acl = dir.resolve("acl");
        // The coordinator's account and ACL section exactly as shipped, so the test also checks the example.
        char[] coordinatorPassword = "coordinator-test-password".toCharArray();
        Files.writeString(passwd, ProvisionHubCommand.passwordLine("haven-coordinator", coordinatorPassword,
                new byte[ProvisionHubCommand.SALT_BYTES]) + "\n");
        Files.write(acl, coordinatorSectionOfTheExample());
        int port = freePort();

        String out = provision("example-school", "room-12", passwd, acl, "tcp://127.0.0.1:" + port);
        String hubPassword = passwordIn(out);
        assertEquals(ProvisionHubCommand.PASSWORD_LENGTH, hubPassword.length());
        assertTrue(out.contains("  uri: tcp://127.0.0.1:" + port), out);
        assertTrue(out.contains("  username: hub-example-school-room-12"), out);
        startMosquitto(port, passwd, acl);

        List<String> seenByCoordinator = new CopyOnWriteArrayList<>();
        MqttClient coordinator = connect(port, "haven-coordinator", "haven-coordinator", coordinatorPassword);
        coordinator.subscribe("haven/v1/#", 1, (topic, message) -> seenByCoordinator.add(topic));
        List<String> seenByHub = new CopyOnWriteArrayList<>();
        MqttClient hub = connect(port, "haven-hub-example-school-room-12", "hub-example-school-room-12",
                hubPassword.toCharArray());
        hub.subscribe("haven/v1/example-school/room-12/cmd/+", 1, (topic, message) -> seenByHub.add(topic));

        // MQTT 3.1.1 brokers acknowledge a denied publish and drop it. Publishing the forbidden topic first on
        // the same connection means that once the allowed one has arrived, the forbidden one would have too.
        byte[] online = "{\"state\":\"online\"}".getBytes(StandardCharsets.UTF_8);
        hub.publish("haven/v1/example-school/room-13/status", online, 1, false);
        hub.publish("haven/v1/example-school/room-12/status", online, 1, false);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> seenByCoordinator.contains("haven/v1/example-school/room-12/status"));
        assertFalse(seenByCoordinator.contains("haven/v1/example-school/room-13/status"), seenByCoordinator.toString());

        coordinator.publish("haven/v1/example-school/room-12/cmd/ack", "{}".getBytes(StandardCharsets.UTF_8), 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> seenByHub.contains("haven/v1/example-school/room-12/cmd/ack"));

        char[] wrong = (hubPassword.substring(1) + "x").toCharArray();
        MqttSecurityException refused = assertThrows(MqttSecurityException.class,
                () -> connect(port, "haven-hub-wrong", "hub-example-school-room-12", wrong));
        assertTrue(Set.of((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION,
                        (int) MqttException.REASON_CODE_NOT_AUTHORIZED).contains(refused.getReasonCode()),
                "reason code " + refused.getReasonCode());
    }

    private String provision(String site, String room, Path passwd, Path acl, String brokerUri) {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new HavenCli()).setOut(new PrintWriter(out, true))
                .execute("provision-hub", "--site", site, "--room", room, "--password-file", passwd.toString(),
                        "--acl-file", acl.toString(), "--broker-uri", brokerUri, "--coordinator-key", coordinatorKey().toString());
        assertEquals(0, exit, out.toString());
        return out.toString();
    }

    /** The public key file a coordinator wrote, as provision-hub reads it. */
    private Path coordinatorKey() {
        Path pub = dir.resolve("coordinator-signing.pub");
        try {
            Files.writeString(pub, haven.testkit.Stack.SIGNER.publicKey().encoded() + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return pub;
    }

    private static String passwordIn(String output) {
        return output.lines().filter(l -> l.startsWith("  password: \""))
                .map(l -> l.substring("  password: \"".length(), l.length() - 1))
                .findFirst().orElseThrow(() -> new AssertionError("no password line in:\n" + output));
    }

    private static String lineOf(Path file, String prefix) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    }

    private static List<String> coordinatorSectionOfTheExample() throws IOException {
        List<String> section = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(ACL_EXAMPLE)) {
            if (line.startsWith("user ")) {
                in = line.equals("user haven-coordinator");
            }
            if (in && !line.isBlank() && !line.startsWith("#")) {
                section.add(line);
            }
        }
        assertEquals("user haven-coordinator", section.getFirst());
        return section;
    }

    private void startMosquitto(int port, Path passwd, Path acl) throws IOException {
        assertTrue(Files.isExecutable(MOSQUITTO), "mosquitto is needed at " + MOSQUITTO + " (apt-get install mosquitto)");
        Path conf = dir.resolve("mosquitto.conf");
        Path log = dir.resolve("mosquitto.log");
        Files.writeString(conf, String.join("\n",
                // Run as whoever runs the test: as root, mosquitto would otherwise switch to user mosquitto and
                // lose access to the temp dir.
                "user " + System.getProperty("user.name"),
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + passwd,
                "acl_file " + acl,
                "persistence false",
                "log_dest stdout",
                "log_type all",
                ""));
        mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .failFast("mosquitto exited early, see " + log, () -> !mosquitto.isAlive())
                .until(() -> accepts(port));
    }

    private MqttClient connect(int port, String clientId, String user, char[] password) throws MqttException {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        clients.add(client);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setUserName(user);
        options.setPassword(password);
        client.connect(options);
        return client;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
