package haven.firmware;

import haven.testkit.Repository;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import haven.cli.HavenCli;
import haven.protocol.Topics;
import haven.testkit.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The broker config a school installs (firmware-config/mosquitto/haven.conf), run by a real Mosquitto with
 * accounts made by the real {@code haven provision-hub}. Only what cannot be the same in a test is rewritten:
 * ports, the TLS listener's address, the /etc/mosquitto paths, persistence in the temp dir, and the user
 * Mosquitto runs as. Every security setting is used exactly as shipped, so a careless edit of the shipped file
 * (anonymous access, a plain listener on the network, a missing ACL) fails here.
 */
class ShippedBrokerConfigTest {
    private static final Path SHIPPED_CONF = Repository.file("firmware-config/mosquitto/haven.conf");
    private static final Path SHIPPED_ACL = Repository.file("firmware-config/mosquitto/acl.example");
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final String SITE = "test-school";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final int tlsPort = Ports.free();
    private final int loopbackPort = Ports.free();
    private final List<MqttClient> clients = new ArrayList<>();
    private Process mosquitto;
    private SSLSocketFactory trustingTestCa;
    private String hubAPassword;
    private String hubBPassword;
    private final String coordinatorPassword = "coordinator-test-only";

    @BeforeEach
    void startShippedBrokerWithTwoProvisionedHubs() throws Exception {
        requireTools();
        Path etc = Files.createDirectories(dir.resolve("etc-mosquitto"));
        makeCertificates(Files.createDirectories(etc.resolve("certs")));
        trustingTestCa = socketFactoryTrusting(etc.resolve("certs/haven-ca.crt"));

        // As provision.sh does on the broker host: the shipped ACL (with its coordinator section) and an
        // empty password file, then the coordinator's password with mosquitto_passwd (docs/INSTALL-COORDINATOR.md).
        Path passwd = etc.resolve("haven.passwd");
        Path acl = etc.resolve("haven.acl");
        Files.copy(SHIPPED_ACL, acl);
        run(MOSQUITTO_PASSWD.toString(), "-c", "-b", passwd.toString(), "haven-coordinator", coordinatorPassword);
        hubAPassword = provisionHub("room-a", passwd, acl);
        hubBPassword = provisionHub("room-b", passwd, acl);

        Path conf = dir.resolve("haven.conf");
        Files.writeString(conf, testCopyOfShippedConf(etc));
        startMosquitto(conf);
    }

    @AfterEach
    void stopClientsAndBroker() throws InterruptedException {
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
        if (mosquitto != null && mosquitto.isAlive()) {
            mosquitto.destroy();
            if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
                mosquitto.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void hubPublishesItsOwnRoomOverTlsAndTheCoordinatorReceivesIt() throws Exception {
        List<String> seen = coordinatorSubscribedToEverything();
        MqttClient hubA = connectTls("haven-hub-test-school-room-a", "hub-test-school-room-a", hubAPassword);

        hubA.publish("haven/v1/test-school/room-a/status", bytes("{\"online\":true}"), 1, true);
        hubA.publish("haven/v1/test-school/room-a/event/worry", bytes("{\"id\":\"e1\"}"), 1, false);

        await().atMost(WAIT).until(() -> seen.containsAll(List.of("haven/v1/test-school/room-a/status",
                "haven/v1/test-school/room-a/event/worry")));
    }

    @Test
    void oneHubsAccountCannotTakeAnotherHubsOrTheCoordinatorsClientId() throws Exception {
        List<String> seen = coordinatorSubscribedToEverything();
        MqttClient coordinator = clients.getFirst();
        MqttClient hubB = connectTls("hub-test-school-room-b", "hub-test-school-room-b", hubBPassword);
        List<String> lost = new CopyOnWriteArrayList<>();
        hubB.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.add("hub-b");
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        // Room A's account (its password is in room A's hub.yaml) asks for room B's client id, then the coordinator's.
        MqttClient asB = connectTls("hub-test-school-room-b", "hub-test-school-room-a", hubAPassword);
        MqttClient asCoordinator = connectTls("haven-coordinator", "hub-test-school-room-a", hubAPassword);
        // Both still work: room B publishes and the coordinator receives it, after the impostors connected.
        hubB.publish("haven/v1/test-school/room-b/event/worry", bytes("{\"id\":\"after\"}"), 1, false);
        await().atMost(WAIT).until(() -> seen.contains("haven/v1/test-school/room-b/event/worry"));
        assertTrue(hubB.isConnected() && lost.isEmpty(), "room B's hub was not kicked off");
        assertTrue(coordinator.isConnected(), "the coordinator was not kicked off");
        assertTrue(asB.isConnected() || asCoordinator.isConnected(), "room A's account still connects, as itself");
    }

    @Test
    void hubCannotPublishUnderAnotherRoomNorReadItsCommands() throws Exception {
        List<String> seen = coordinatorSubscribedToEverything();
        MqttClient hubA = connectTls("haven-hub-test-school-room-a", "hub-test-school-room-a", hubAPassword);
        MqttClient hubB = connectTls("haven-hub-test-school-room-b", "hub-test-school-room-b", hubBPassword);
        List<String> seenByA = new CopyOnWriteArrayList<>();
        List<String> seenByB = new CopyOnWriteArrayList<>();
        hubA.subscribe("haven/v1/test-school/room-b/cmd/#", 1, (topic, message) -> seenByA.add(topic));
        hubA.subscribe("haven/v1/test-school/room-a/cmd/#", 1, (topic, message) -> seenByA.add(topic));
        hubB.subscribe("haven/v1/test-school/room-b/cmd/#", 1, (topic, message) -> seenByB.add(topic));

        hubA.publish("haven/v1/test-school/room-b/status", bytes("{\"online\":false}"), 1, true);
        hubA.publish("haven/v1/test-school/room-b/event/worry", bytes("{\"id\":\"forged\"}"), 1, false);
        // Mosquitto keeps one publisher's messages in order: once this arrives, the forged ones would have too.
        hubA.publish("haven/v1/test-school/room-a/event/worry", bytes("{\"id\":\"marker\"}"), 1, false);
        await().atMost(WAIT).until(() -> seen.contains("haven/v1/test-school/room-a/event/worry"));
        assertFalse(seen.contains("haven/v1/test-school/room-b/status"), "forged status arrived: " + seen);
        assertFalse(seen.contains("haven/v1/test-school/room-b/event/worry"), "forged event arrived: " + seen);

        MqttClient coordinator = clients.getFirst();
        coordinator.publish("haven/v1/test-school/room-b/cmd/isolate", bytes("{}"), 1, false);
        coordinator.publish("haven/v1/test-school/room-a/cmd/ack", bytes("{}"), 1, false);
        await().atMost(WAIT).until(() -> seenByB.contains("haven/v1/test-school/room-b/cmd/isolate")
                && seenByA.contains("haven/v1/test-school/room-a/cmd/ack"));
        assertEquals(List.of("haven/v1/test-school/room-a/cmd/ack"), List.copyOf(seenByA));
    }

    @Test
    void theSiteLevelCarriesTheAupsWhichHubsReadButCannotWrite() throws Exception {
        coordinatorSubscribedToEverything();
        MqttClient hubA = connectTls("haven-hub-test-school-room-a", "hub-test-school-room-a", hubAPassword);
        MqttClient hubB = connectTls("haven-hub-test-school-room-b", "hub-test-school-room-b", hubBPassword);
        List<String> seenByB = new CopyOnWriteArrayList<>();
        hubB.subscribe(Topics.aups(SITE), 1, (topic, message) -> seenByB.add(new String(message.getPayload(), StandardCharsets.UTF_8)));

        hubA.publish(Topics.aup(SITE, "ks2"), bytes("forged by a hub"), 1, true);
        clients.getFirst().publish(Topics.aup(SITE, "ks2"), bytes("from the coordinator"), 1, true);

        // The AUP in another language sits one level below, inside the same aup/# grant (docs/KIOSK.md).
        hubA.publish(Topics.aup(SITE, "ks2", "cy"), bytes("forged Welsh"), 1, true);
        clients.getFirst().publish(Topics.aup(SITE, "ks2", "cy"), bytes("Welsh from the coordinator"), 1, true);

        await().atMost(WAIT).until(() -> seenByB.contains("from the coordinator") && seenByB.contains("Welsh from the coordinator"));
        assertEquals(List.of("from the coordinator", "Welsh from the coordinator"), List.copyOf(seenByB),
                "a hub must not write the site's AUPs, in any language");
    }

    @Test
    void hubsReadTheSitesFilterTargetsButCannotWriteThem() throws Exception {
        coordinatorSubscribedToEverything();
        MqttClient hubA = connectTls("haven-hub-test-school-room-a", "hub-test-school-room-a", hubAPassword);
        MqttClient hubB = connectTls("haven-hub-test-school-room-b", "hub-test-school-room-b", hubBPassword);
        List<String> seenByB = new CopyOnWriteArrayList<>();
        hubB.subscribe(Topics.filterTargets(SITE), 1, (topic, message) -> seenByB.add(new String(message.getPayload(), StandardCharsets.UTF_8)));

        // A hub that could rewrite the list could make every room's check pass: only the coordinator writes it.
        hubA.publish(Topics.filterTargets(SITE), bytes("forged by a hub"), 1, true);
        clients.getFirst().publish(Topics.filterTargets(SITE), bytes("from the coordinator"), 1, true);

        await().atMost(WAIT).until(() -> seenByB.contains("from the coordinator"));
        assertEquals(List.of("from the coordinator"), List.copyOf(seenByB), "a hub must not write the filter targets");
    }

    @Test
    void hubsReadTheChainHeadButCannotWriteIt() throws Exception {
        coordinatorSubscribedToEverything();
        MqttClient hubA = connectTls("haven-hub-test-school-room-a", "hub-test-school-room-a", hubAPassword);
        MqttClient hubB = connectTls("haven-hub-test-school-room-b", "hub-test-school-room-b", hubBPassword);
        List<String> seenByB = new CopyOnWriteArrayList<>();
        hubB.subscribe(Topics.chainHead(SITE), 1, (topic, message) -> seenByB.add(new String(message.getPayload(), StandardCharsets.UTF_8)));

        // A hub that could publish a head would make its neighbours witness a forged chain.
        hubA.publish(Topics.chainHead(SITE), bytes("forged by a hub"), 1, true);
        clients.getFirst().publish(Topics.chainHead(SITE), bytes("from the coordinator"), 1, true);

        await().atMost(WAIT).until(() -> seenByB.contains("from the coordinator"));
        assertEquals(List.of("from the coordinator"), List.copyOf(seenByB), "a hub must not write the chain head");
    }

    @Test
    void provisionHubRefusesAReservedRoomId(@TempDir Path elsewhere) {
        StringWriter err = new StringWriter();
        int exit = HavenCli.commandLine().setErr(new PrintWriter(err, true)).execute("provision-hub",
                "--site", SITE, "--room", "aup", "--password-file", elsewhere.resolve("p").toString(),
                "--acl-file", elsewhere.resolve("a").toString());
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("reserved"), err.toString());
    }

    @Test
    void anonymousClientIsRefusedOnBothListeners() {
        MqttSecurityException overTls = assertThrows(MqttSecurityException.class,
                () -> connect("ssl://127.0.0.1:" + tlsPort, trustingTestCa, "anonymous-tls", null, null));
        MqttSecurityException onLoopback = assertThrows(MqttSecurityException.class,
                () -> connect("tcp://127.0.0.1:" + loopbackPort, null, "anonymous-loopback", null, null));

        assertRefusedAuthentication(overTls);
        assertRefusedAuthentication(onLoopback);
    }

    @Test
    void hubWithoutTlsOnTheTlsListenerIsRefusedEvenWithTheRightPassword() {
        assertThrows(MqttException.class, () -> connect("tcp://127.0.0.1:" + tlsPort, null,
                "haven-hub-test-school-room-a", "hub-test-school-room-a", hubAPassword));
    }

    @Test
    void wrongPasswordIsRefusedOverTls() {
        MqttSecurityException refused = assertThrows(MqttSecurityException.class,
                () -> connectTls("haven-hub-test-school-room-a", "hub-test-school-room-a", hubBPassword));

        assertRefusedAuthentication(refused);
    }

    /**
     * The shipped file with only the test's differences. Each rewritten line must be found exactly once, so a
     * change to the shipped listeners or paths makes this test say so instead of silently testing something else.
     */
    private String testCopyOfShippedConf(Path etc) throws IOException {
        Map<String, String> rewrites = new LinkedHashMap<>();
        rewrites.put("listener 8883", "listener " + tlsPort + " 127.0.0.1");
        rewrites.put("listener 1883 127.0.0.1", "listener " + loopbackPort + " 127.0.0.1");
        rewrites.put("cafile /etc/mosquitto/certs/haven-ca.crt", "cafile " + etc.resolve("certs/haven-ca.crt"));
        rewrites.put("certfile /etc/mosquitto/certs/broker.crt", "certfile " + etc.resolve("certs/broker.crt"));
        rewrites.put("keyfile /etc/mosquitto/certs/broker.key", "keyfile " + etc.resolve("certs/broker.key"));
        rewrites.put("password_file /etc/mosquitto/haven.passwd", "password_file " + etc.resolve("haven.passwd"));
        rewrites.put("acl_file /etc/mosquitto/haven.acl", "acl_file " + etc.resolve("haven.acl"));
        List<String> shipped = Files.readAllLines(SHIPPED_CONF, StandardCharsets.UTF_8);
        for (String line : rewrites.keySet()) {
            assertEquals(1, shipped.stream().filter(line::equals).count(),
                    "shipped haven.conf no longer has exactly one '" + line + "': update this test with it");
        }
        assertTrue(shipped.stream().noneMatch(l -> l.contains("/etc/") && !l.startsWith("#") && !rewrites.containsKey(l)),
                "shipped haven.conf has an /etc path this test does not redirect");

        List<String> conf = new ArrayList<>();
        // What Debian's /etc/mosquitto/mosquitto.conf adds around the included conf.d/haven.conf.
        conf.add("persistence true");
        conf.add("persistence_location " + dir + "/");
        conf.add("log_dest file " + dir.resolve("mosquitto.log"));
        conf.add("log_type all");
        if ("root".equals(System.getProperty("user.name"))) {
            // Started as root, Mosquitto would switch to user 'mosquitto', which cannot read the temp dir.
            conf.add("user root");
        }
        shipped.forEach(line -> conf.add(rewrites.getOrDefault(line, line)));
        return String.join("\n", conf) + "\n";
    }

    private String provisionHub(String room, Path passwd, Path acl) {
        StringWriter out = new StringWriter();
        Path coordinatorKey = dir.resolve("coordinator-signing.pub"); // as the coordinator writes it at first start
        try {
            Files.writeString(coordinatorKey, haven.testkit.Stack.SIGNER.publicKey().encoded() + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // HavenCli's own command tree, so the picocli wiring is tested too; its output carries the password.
        int exit = new CommandLine(new HavenCli()).setOut(new PrintWriter(out, true)).execute("provision-hub",
                "--site", SITE, "--room", room, "--password-file", passwd.toString(), "--acl-file", acl.toString(),
                "--broker-uri", "ssl://127.0.0.1:" + tlsPort, "--coordinator-key", coordinatorKey.toString());
        assertEquals(0, exit, out.toString());
        return out.toString().lines().filter(l -> l.startsWith("  password: \""))
                .map(l -> l.substring("  password: \"".length(), l.length() - 1))
                .findFirst().orElseThrow(() -> new AssertionError("no password in provision-hub output:\n" + out));
    }

    /** The coordinator as shipped: on the loopback listener, reading every hub's topics. It is clients[0]. */
    private List<String> coordinatorSubscribedToEverything() throws MqttException {
        MqttClient coordinator = connect("tcp://127.0.0.1:" + loopbackPort, null, "haven-coordinator",
                "haven-coordinator", coordinatorPassword);
        List<String> seen = new CopyOnWriteArrayList<>();
        coordinator.subscribe("haven/v1/#", 1, (topic, message) -> seen.add(topic));
        return seen;
    }

    private MqttClient connectTls(String clientId, String user, String password) throws MqttException {
        return connect("ssl://127.0.0.1:" + tlsPort, trustingTestCa, clientId, user, password);
    }

    private MqttClient connect(String uri, SSLSocketFactory tls, String clientId, String user, String password)
            throws MqttException {
        MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
        clients.add(client);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false);
        if (tls != null) {
            options.setSocketFactory(tls);
        }
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.toCharArray());
        }
        client.connect(options);
        return client;
    }

    private static void assertRefusedAuthentication(MqttSecurityException refused) {
        assertTrue(Set.of((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION,
                        (int) MqttException.REASON_CODE_NOT_AUTHORIZED).contains(refused.getReasonCode()),
                "reason code " + refused.getReasonCode());
    }

    /** A throwaway CA and a broker certificate for 127.0.0.1 and localhost, as docs/INSTALL-COORDINATOR.md makes them. */
    private void makeCertificates(Path certs) throws Exception {
        Path ext = Files.writeString(dir.resolve("broker.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(OPENSSL.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("ca.key").toString(), "-out", certs.resolve("haven-ca.crt").toString(),
                "-days", "2", "-subj", "/CN=Haven test CA");
        run(OPENSSL.toString(), "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", certs.resolve("broker.key").toString(), "-out", dir.resolve("broker.csr").toString(),
                "-subj", "/CN=localhost");
        run(OPENSSL.toString(), "x509", "-req", "-in", dir.resolve("broker.csr").toString(),
                "-CA", certs.resolve("haven-ca.crt").toString(), "-CAkey", dir.resolve("ca.key").toString(),
                "-CAcreateserial", "-CAserial", dir.resolve("ca.srl").toString(),
                "-out", certs.resolve("broker.crt").toString(), "-days", "2", "-extfile", ext.toString());
    }

    private static SSLSocketFactory socketFactoryTrusting(Path caFile) throws Exception {
        Certificate ca;
        try (InputStream in = Files.newInputStream(caFile)) {
            ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("haven-test-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private void startMosquitto(Path conf) throws IOException {
        Path stdout = dir.resolve("mosquitto.stdout");
        mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .failFast("mosquitto exited at start, see " + stdout + " and " + dir.resolve("mosquitto.log"),
                        () -> !mosquitto.isAlive())
                .until(() -> accepts(tlsPort) && accepts(loopbackPort));
    }

    private void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("tools.log").toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command[0] + " did not finish");
        }
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed:\n" + readQuietly(dir.resolve("tools.log")));
    }

    private static void requireTools() {
        for (Path tool : List.of(MOSQUITTO, MOSQUITTO_PASSWD, OPENSSL)) {
            if (!Files.isExecutable(tool)) {
                String why = "needs " + tool + " (Debian packages mosquitto and openssl)";
                if ("true".equals(System.getenv("CI"))) {
                    fail(why + "; .ci/run installs them");
                }
                Assumptions.abort(why);
            }
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

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
