package haven.coordinator.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Web Push end to end: a member of staff's browser (played by this test, with its own P-256 key and auth
 * secret) subscribes through the dashboard API; a press makes the coordinator POST to a push service on
 * loopback; the test decrypts the body with the subscription's private key (RFC 8291, written out here
 * independently) and checks the content, the TTL and Urgency headers and the VAPID signature.
 */
class WebPushTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private WebhookReceiver pushService;

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (pushService != null) {
            pushService.close();
        }
    }

    /** The browser's keys and the coordinator's VAPID public key, once subscribed and a press sent. */
    private record Subscribed(KeyPair browser, byte[] auth, byte[] vapidPublic) {
    }

    /** A coordinator with push configured, one device subscribed, a press; the push service answers {@code status}. */
    private Subscribed subscribeAndPress(int status) throws Exception {
        pushService = new WebhookReceiver();
        pushService.status = status;
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "push-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "https://haven.test-school.invalid/");
        n.putObject("push").put("subject", "mailto:dsl@test-school.invalid").put("ttlSeconds", 900);
        n.putArray("contacts").addObject().put("staff", "dsl").put("push", true);
        n.putObject("ladders").putArray("worry").addObject().putArray("contacts").add("dsl");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());

        // The browser: its own key pair and auth secret, subscribed with the coordinator's VAPID public key.
        KeyPair browser = new WebPush(new java.security.SecureRandom()).newKeyPair();
        byte[] auth = new byte[16];
        new java.security.SecureRandom().nextBytes(auth);
        byte[] vapidPublic;
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            vapidPublic = WebPush.fromBase64Url(Json.parse(dsl.get("/api/push/key").body().getBytes()).get("publicKey").asText());
            assertEquals(65, vapidPublic.length);
            ObjectNode subscription = Json.object();
            subscription.put("endpoint", pushService.url("/push/device-1"));
            subscription.putObject("keys").put("p256dh", WebPush.base64Url(WebPush.uncompressed((ECPublicKey) browser.getPublic())))
                    .put("auth", WebPush.base64Url(auth));
            assertEquals(201, dsl.post("/api/push/subscriptions", Json.write(subscription)).statusCode());
        }

        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), 1, EventType.WORRY_REPORTED, new RoomId("test-school", "year5"),
                clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), new EventCodec().encode(e), false);
        await().atMost(Duration.ofSeconds(10)).until(() -> pushService.received.size() == 1);
        return new Subscribed(browser, auth, vapidPublic);
    }

    /** The incident's first notify.attempt record, as the dashboard's chronology shows it. */
    private JsonNode firstAttempt() throws Exception {
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            java.util.List<JsonNode> attempts = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                attempts.clear();
                Json.parse(dsl.get("/api/incidents/1").body().getBytes()).get("chronology").forEach(step -> {
                    if (Timeline.ATTEMPT.equals(step.path("type").asText())) {
                        attempts.add(step);
                    }
                });
                return !attempts.isEmpty();
            });
            return attempts.get(0).path("data");
        }
    }

    @Test
    void aPressReachesASubscribedDeviceEncryptedForItAndSignedWithVapid() throws Exception {
        Subscribed s = subscribeAndPress(201);
        KeyPair browser = s.browser();
        byte[] auth = s.auth();
        byte[] vapidPublic = s.vapidPublic();

        WebhookReceiver.Request request = pushService.received.get(0);
        assertEquals("/push/device-1", request.path());
        assertEquals("aes128gcm", request.header("Content-Encoding"));
        assertEquals("900", request.header("TTL"));
        assertEquals("high", request.header("Urgency"));
        JsonNode message = Json.parse(decrypt(request.bytes(), browser, auth));
        assertEquals("Haven: New worry in year5", message.get("title").asText());
        assertEquals("New worry in year5, just now (incident 1).", message.get("body").asText());
        assertEquals("https://haven.test-school.invalid/", message.get("url").asText());
        checkVapid(request.header("Authorization"), vapidPublic, "http://127.0.0.1:" + pushService.url("").split(":")[2]);
        JsonNode attempt = firstAttempt();
        assertEquals("push", attempt.path("channel").asText(), attempt.toString());
        assertEquals("dsl", attempt.path("contact").asText(), attempt.toString());
        assertEquals("accepted", attempt.path("outcome").asText(), attempt.toString());
        assertEquals("HTTP 201", attempt.path("reply").asText(), attempt.toString());
    }

    @Test
    void aPushServiceAnswering410IsRecordedAsAFailure() throws Exception {
        subscribeAndPress(410);
        JsonNode attempt = firstAttempt();
        assertEquals("push", attempt.path("channel").asText(), attempt.toString());
        assertEquals("failed", attempt.path("outcome").asText(), attempt.toString());
        assertEquals("HTTP 410", attempt.path("reply").asText(), attempt.toString());
    }

    @Test
    void aPushServiceAnswering500IsRecordedAsAFailure() throws Exception {
        subscribeAndPress(500);
        JsonNode attempt = firstAttempt();
        assertEquals("failed", attempt.path("outcome").asText(), attempt.toString());
        assertEquals("HTTP 500", attempt.path("reply").asText(), attempt.toString());
    }

    /** RFC 8291 section 3.4 and RFC 8188 from the receiving side. */
    private static byte[] decrypt(byte[] body, KeyPair browser, byte[] auth) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        in.get(salt);
        assertEquals(4096, in.getInt(), "record size");
        byte[] asPublic = new byte[in.get()];
        in.get(asPublic);
        byte[] ciphertext = new byte[in.remaining()];
        in.get(ciphertext);
        KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
        ecdh.init(browser.getPrivate());
        ecdh.doPhase(WebPush.publicKey(asPublic), true);
        byte[] uaPublic = WebPush.uncompressed((ECPublicKey) browser.getPublic());
        byte[] prkKey = hmac(auth, ecdh.generateSecret());
        byte[] ikm = hmac(prkKey, join("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic, new byte[] {1}));
        byte[] prk = hmac(salt, ikm);
        byte[] cek = Arrays.copyOf(hmac(prk, join("Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1})), 16);
        byte[] nonce = Arrays.copyOf(hmac(prk, join("Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1})), 12);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] padded = gcm.doFinal(ciphertext);
        int end = padded.length - 1;
        while (padded[end] == 0) {
            end--;
        }
        assertEquals(2, padded[end], "the last record's delimiter");
        return Arrays.copyOf(padded, end);
    }

    private static void checkVapid(String authorization, byte[] vapidPublic, String audience) throws Exception {
        assertTrue(authorization.startsWith("vapid t="), authorization);
        String[] parts = authorization.substring("vapid ".length()).split(", ");
        String jwt = parts[0].substring(2);
        assertEquals("k=" + WebPush.base64Url(vapidPublic), parts[1]);
        String[] jws = jwt.split("\\.");
        JsonNode claims = Json.parse(Base64.getUrlDecoder().decode(jws[1]));
        assertEquals(audience, claims.get("aud").asText());
        assertEquals("mailto:dsl@test-school.invalid", claims.get("sub").asText());
        long exp = claims.get("exp").asLong();
        assertTrue(exp > Instant.parse("2026-11-25T10:00:00Z").getEpochSecond()
                && exp <= Instant.parse("2026-11-26T10:00:00Z").getEpochSecond(), "expires within 24 hours");
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initVerify(WebPush.publicKey(vapidPublic));
        es256.update((jws[0] + "." + jws[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(es256.verify(Base64.getUrlDecoder().decode(jws[2])), "signed with the VAPID key");
    }

    @Test
    void encryptionMatchesTheExampleOfRfc8291AppendixA() throws Exception {
        byte[] asPublic = WebPush.fromBase64Url("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
        PrivateKey asPrivate = KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(
                new BigInteger(1, WebPush.fromBase64Url("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")), WebPush.p256()));
        ECPublicKey uaPublic = WebPush.publicKey(WebPush.fromBase64Url(
                "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"));
        byte[] body = WebPush.encrypt("When I grow up, I want to be a watermelon".getBytes(StandardCharsets.UTF_8), uaPublic,
                WebPush.fromBase64Url("BTBZMqHH6r4Tts7J_aSIgg"), new KeyPair(WebPush.publicKey(asPublic), asPrivate),
                WebPush.fromBase64Url("DGv6ra1nlYgDCS1FRnbzlw"));
        assertArrayEquals(WebPush.fromBase64Url("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"),
                body);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] join(byte[]... parts) {
        ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        Arrays.stream(parts).forEach(out::put);
        return out.array();
    }
}
