package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second factor at login (docs/SECURITY.md), with the coordinator's default config: coordinator, head and
 * senior staff enrol at their first login and then give a code from their app (or a recovery code) after the
 * password; a code works once; a teacher logs in with a password. Real coordinator, real HTTP; the codes are
 * computed with {@link Totp} at the coordinator's (test) clock, as an authenticator app would.
 */
class SecondFactorLoginTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-12T08:30:05Z"));
    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedBroker broker;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "totp-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("ms-khan", Role.TEACHER, PASSWORD.toCharArray());
    }

    @AfterEach
    void stop() {
        http.close();
        coordinator.close();
        broker.close();
    }

    /** One browser's cookies, by name. */
    private final java.util.Map<String, String> jar = new java.util.HashMap<>();

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.httpPort() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        send(b, path);
        return last;
    }

    private HttpResponse<String> get(String path) throws Exception {
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.httpPort() + path)).GET(), path);
        return last;
    }

    private HttpResponse<String> last;

    private void send(HttpRequest.Builder b, String path) throws Exception {
        String pending = jar.get("haven_login_pending");
        List<String> cookies = new java.util.ArrayList<>();
        if (jar.containsKey("haven_session")) {
            cookies.add("haven_session=" + jar.get("haven_session"));
        }
        if (pending != null && path.startsWith("/api/login")) {
            cookies.add("haven_login_pending=" + pending);
        }
        if (!cookies.isEmpty()) {
            b.header("Cookie", String.join("; ", cookies));
        }
        last = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        for (String set : last.headers().allValues("Set-Cookie")) {
            String[] kv = set.split(";")[0].split("=", 2);
            if (kv[1].isEmpty() || set.toLowerCase().contains("max-age=0") || set.contains("Expires=Thu, 01 Jan 1970")) {
                jar.remove(kv[0]);
            } else {
                jar.put(kv[0], kv[1]);
            }
        }
    }

    private JsonNode login(String name) throws Exception {
        HttpResponse<String> res = post("/api/login", "{\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(200, res.statusCode(), res.body());
        return Json.parse(res.body().getBytes(StandardCharsets.UTF_8));
    }

    private String code(byte[] secret, int stepsFromNow) {
        return Totp.code(secret, Totp.step(clock.instant()) + stepsFromNow);
    }

    private long audited(String action) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM audit WHERE action = '" + action + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** An answer with what differs on every run (the key, its QR code, the CSRF token, the codes) masked as <>. */
    private static String masked(HttpResponse<String> answer) {
        JsonNode body = Json.parse(answer.body().getBytes(StandardCharsets.UTF_8));
        mask(body);
        return Json.write(body);
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String field : List.of("secret", "otpauth", "qrSvg", "csrf")) {
                if (object.has(field)) {
                    object.put(field, "<>");
                }
            }
            for (String field : List.of("permissions", "recoveryCodes")) {
                if (object.has(field)) {
                    object.putArray(field).add("<>");
                }
            }
            object.forEach(SecondFactorLoginTest::mask);
        }
    }

    @Test
    void theDslEnrolsAtFirstLoginThenNeedsACodeEveryTimeAndACodeWorksOnce() throws Exception {
        HttpResponse<String> firstAnswer = post("/api/login", "{\"name\":\"dsl\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(200, firstAnswer.statusCode(), firstAnswer.body());
        assertEquals("no-store", firstAnswer.headers().firstValue("Cache-Control").orElse(""), "the key is not cached");
        JsonNode first = Json.parse(firstAnswer.body().getBytes(StandardCharsets.UTF_8));
        assertTrue(first.get("totpRequired").asBoolean());
        assertFalse(first.get("enrolled").asBoolean());
        assertFalse(first.has("csrf"), "no session before the second factor");
        assertEquals("{\"totpRequired\":true,\"enrolled\":false,\"enrol\":{\"secret\":\"<>\",\"otpauth\":\"<>\",\"qrSvg\":\"<>\","
                + "\"digits\":6,\"period\":30}}", masked(firstAnswer), "the enrolment answer on the wire");
        assertFalse(jar.containsKey("haven_session"));
        String uri = first.get("enrol").get("otpauth").asText();
        assertTrue(uri.startsWith("otpauth://totp/Haven:dsl?secret=" + first.get("enrol").get("secret").asText()), uri);
        assertEquals(QrSvg.of(uri), first.get("enrol").get("qrSvg").asText(),
                "the QR code of this URI (QrSvgTest and SecondFactorBrowserTest scan it back)");
        byte[] secret = Totp.fromBase32(first.get("enrol").get("secret").asText());
        assertEquals(401, get("/api/incidents").statusCode(), "a password alone opens nothing");

        assertEquals(401, post("/api/login/totp", "{\"code\":\"000000\"}").statusCode());
        HttpResponse<String> enrolled = post("/api/login/totp", "{\"code\":\"" + code(secret, 0) + "\"}");
        assertEquals(200, enrolled.statusCode(), enrolled.body());
        JsonNode session = Json.parse(enrolled.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("coordinator", session.get("role").asText());
        assertEquals(SecondFactor.RECOVERY_CODES, session.get("recoveryCodes").size(), "shown once, at enrolment");
        assertEquals("{\"staffAupToAccept\":null,\"name\":\"dsl\",\"role\":\"coordinator\",\"csrf\":\"<>\",\"permissions\":[\"<>\"],"
                + "\"recoveryCodes\":[\"<>\"],\"secondFactor\":\"totp-enrolled\"}", masked(enrolled), "the session after enrolment, on the wire");
        assertEquals(200, get("/api/incidents").statusCode());
        String recovery = session.get("recoveryCodes").get(3).asText();

        // Next login: no new secret; the code just used is refused, the next step's is accepted.
        jar.clear();
        JsonNode again = login("dsl");
        assertTrue(again.get("enrolled").asBoolean());
        assertFalse(again.has("enrol"), "the secret is never shown again");
        assertEquals("{\"totpRequired\":true,\"enrolled\":true}", Json.write(again));
        assertEquals(401, post("/api/login/totp", "{\"code\":\"" + code(secret, 0) + "\"}").statusCode(), "a code works once");
        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> withCode = post("/api/login/totp", "{\"code\":\"" + code(secret, 0) + "\"}");
        assertEquals(200, withCode.statusCode());
        assertEquals("{\"staffAupToAccept\":null,\"name\":\"dsl\",\"role\":\"coordinator\",\"csrf\":\"<>\",\"permissions\":[\"<>\"],"
                + "\"secondFactor\":\"totp\"}", masked(withCode), "no recovery codes after a code, on the wire");

        // A recovery code works once.
        jar.clear();
        login("dsl");
        assertEquals(200, post("/api/login/totp", "{\"recoveryCode\":\"" + recovery.toUpperCase() + "\"}").statusCode());
        jar.clear();
        login("dsl");
        assertEquals(401, post("/api/login/totp", "{\"recoveryCode\":\"" + recovery + "\"}").statusCode(), "single use");

        // Five wrong codes end the half-done login, even if the sixth is right.
        jar.clear();
        login("dsl");
        for (int i = 0; i < 5; i++) {
            assertEquals(401, post("/api/login/totp", "{\"code\":\"11111" + i + "\"}").statusCode());
        }
        clock.advance(Duration.ofSeconds(30));
        assertEquals(401, post("/api/login/totp", "{\"code\":\"" + code(secret, 0) + "\"}").statusCode());
        assertTrue(audited("login-second-factor-failed") >= 8);

        // The half-done login expires.
        jar.clear();
        login("dsl");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(401, post("/api/login/totp", "{\"code\":\"" + code(secret, 0) + "\"}").statusCode(), "five minutes to type it");
    }

    @Test
    void aTeacherLogsInWithAPasswordAndThePolicyIsPublic() throws Exception {
        JsonNode teacher = login("ms-khan");
        assertEquals("teacher", teacher.get("role").asText());
        assertFalse(teacher.has("totpRequired"));
        JsonNode policy = Json.parse(get("/api/login/policy").body().getBytes(StandardCharsets.UTF_8));
        assertFalse(policy.get("relaxed").asBoolean());
        assertEquals(List.of("coordinator", "head", "senior"),
                java.util.stream.StreamSupport.stream(policy.get("requireTotpFor").spliterator(), false).map(JsonNode::asText).toList());
        assertEquals(401, post("/api/login/totp", "{\"code\":\"123456\"}").statusCode(), "no half-done login to finish");
    }

    @Test
    void relaxingTheRequirementIsVisible() {
        ObjectNode c = Json.object();
        c.putObject("auth").putArray("requireTotpFor").add("coordinator").add("head");
        AuthConfig auth = CoordinatorConfig.from(ConfigFile.of("relaxed", c)).auth();
        assertTrue(auth.relaxed(), "senior staff see every incident: without them the requirement is relaxed");
        assertFalse(CoordinatorConfig.from(ConfigFile.of("default", Json.object())).auth().relaxed());
        ObjectNode wrong = Json.object();
        wrong.putObject("auth").putArray("requireTotpFor").add("wizard");
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> CoordinatorConfig.from(ConfigFile.of("bad", wrong)));
        assertTrue(e.getMessage().contains("auth.requireTotpFor"), e.getMessage());
    }

    @Test
    void oneCodeSentTenTimesAtOnceLogsInOnce() throws Exception {
        SecondFactor factor = new SecondFactor(coordinator.database(), clock);
        byte[] secret = factor.newSecret();
        assertTrue(factor.enrol("dsl", secret, code(secret, 0)).isPresent());
        assertTrue(factor.enrol("dsl", factor.newSecret(), code(secret, 0)).isEmpty(), "enrolled once");
        clock.advance(Duration.ofSeconds(30));
        String code = code(secret, 0);
        var start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(10)) {
            for (int i = 0; i < 10; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return factor.verify("dsl", code);
                }));
            }
            start.countDown();
            long accepted = 0;
            for (var r : results) {
                accepted += r.get() ? 1 : 0;
            }
            assertEquals(1, accepted, "a code works once, even sent at the same moment");
        }
    }
}
