package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against a hostile page and a shared staff PC (docs/SECURITY.md): what anyone on the network can
 * make the coordinator store, and what a browser keeps after the member of staff has gone. Real coordinator,
 * real broker, real HTTP.
 */
class HostileBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId ROOM = new RoomId("test-school", "year5");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T10:00:00Z"));
    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedBroker broker;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "hostile-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
    }

    @AfterEach
    void stop() {
        http.close();
        coordinator.close();
        broker.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + coordinator.httpPort() + path;
    }

    private HttpResponse<String> postJson(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A login body over the limit: 413, answered before the body is read; the server then closes the connection,
     * and on a loaded machine that can reach the client before the answer does (also a refusal, counted as 413).
     */
    private int refusedStatus(String body) throws Exception {
        try {
            return postJson("/api/login", body).statusCode();
        } catch (java.io.IOException closedBeforeTheAnswer) {
            return 413;
        }
    }

    private long number(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void worry() {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(clock).next().toString(), 1, EventType.WORRY_REPORTED, ROOM, clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), new EventCodec().encode(e), false);
    }

    @Test
    void unauthenticatedRequestsCannotGrowTheAuditTable() throws Exception {
        long before = number("SELECT coalesce(sum(length(actor) + length(target) + length(action)), 0) FROM audit");
        String huge = "a".repeat(900 * 1024);
        for (int i = 0; i < 20; i++) {
            assertEquals(413, refusedStatus("{\"name\":\"" + huge + i + "\",\"password\":\"wrong-password\"}"));
            assertEquals(400, postJson("/api/login", "{\"name\":\"" + "n".repeat(10_000) + i + "\",\"password\":\"wrong-password\"}")
                    .statusCode(), "a name longer than any account's is refused before it is checked or audited");
        }
        long after = number("SELECT coalesce(sum(length(actor) + length(target) + length(action)), 0) FROM audit");
        assertTrue(after - before < 20 * 200, "20 refused logins stored " + (after - before) + " characters in the audit table");
        assertEquals(413, refusedStatus("{\"name\":\"" + "b".repeat(2 * 1024 * 1024) + "\"}"),
                "a body over the limit is refused before it is read");
        assertEquals(400, postJson("/api/setup", "{\"token\":\"" + "t".repeat(10_000) + "\",\"name\":\"x\",\"password\":\"y\"}").statusCode());
        assertEquals(400, postJson("/api/login", "{\"name\":{\"nested\":\"object\"},\"password\":\"wrong-password\"}").statusCode());
        // A name of an ordinary length still fails as a wrong login and is audited.
        assertEquals(401, postJson("/api/login", "{\"name\":\"dsl\",\"password\":\"wrong-password\"}").statusCode());
        assertEquals(1, number("SELECT count(*) FROM audit WHERE action = 'login-failed'"));
    }

    @Test
    void noStaffAnswerIsKeptInTheBrowsersCache() throws Exception {
        worry();
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            for (String path : List.of("/api/incidents", "/api/incidents/1", "/api/snapshot", "/api/incidents/1/export",
                    "/api/incidents/1/export?format=json", "/api/reports", "/api/reports.csv", "/api/audit",
                    "/api/filter-checks.csv", "/api/session", "/api/isolations")) {
                HttpResponse<String> res = dsl.get(path);
                assertEquals(200, res.statusCode(), path);
                assertEquals("no-store", res.headers().firstValue("Cache-Control").orElse("(none)"), path);
            }
        }
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(url("/api/incidents"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode());
        assertEquals("no-store", refused.headers().firstValue("Cache-Control").orElse("(none)"), "a refusal too");
    }

    private HttpResponse<String> login(HttpClient client, String name, String password, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url("/api/login"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}"));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thirtyGuessesAtOnceAreThirtyAttemptsAndAtMostFiveReachThePasswordCheck() throws Exception {
        int burst = 30;
        var start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(burst)) {
            for (int i = 0; i < burst; i++) {
                String password = i == 17 ? PASSWORD : "wrong-guess-" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return login(http, "dsl", password, null).statusCode();
                }));
            }
            start.countDown();
            int checked = 0;
            int refused = 0;
            for (var a : answers) {
                int status = a.get();
                if (status == 401 || status == 200) {
                    checked++;
                } else if (status == 429) {
                    refused++;
                }
            }
            assertTrue(checked <= 5, checked + " of 30 simultaneous guesses reached the password check");
            assertEquals(burst - checked, refused, "every other guess is refused with 429");
        }
        assertTrue(number("SELECT count(*) FROM audit WHERE action = 'login-failed'") <= 5);
        HttpResponse<String> after = login(http, "dsl", PASSWORD, null);
        assertEquals(429, after.statusCode(), "the window is used up, even for the right password");
        assertTrue(Long.parseLong(after.headers().firstValue("Retry-After").orElse("0")) > 0);
        // The next window is twice as long: six minutes later five more guesses, then ten minutes to wait.
        clock.advance(java.time.Duration.ofMinutes(6));
        for (int i = 0; i < 5; i++) {
            assertEquals(401, login(http, "dsl", "wrong-again-" + i, null).statusCode());
        }
        HttpResponse<String> longer = login(http, "dsl", PASSWORD, null);
        assertEquals(429, longer.statusCode());
        assertTrue(Long.parseLong(longer.headers().firstValue("Retry-After").orElseThrow()) > 5 * 60,
                "the delay increases: " + longer.headers().firstValue("Retry-After").orElseThrow() + " s");
        clock.advance(java.time.Duration.ofMinutes(11));
        assertEquals(200, login(http, "dsl", PASSWORD, null).statusCode());
    }

    @Test
    void oneClientSprayingNamesIsLimitedToo() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals(401, login(http, "staff-" + i, "wrong-password", null).statusCode());
        }
        assertEquals(429, login(http, "staff-20", "wrong-password", null).statusCode(), "20 attempts per client and window");
    }

    @Test
    void theLoginAndSetupRoutesTakeOnlyJsonFromTheirOwnOrigin() throws Exception {
        // A hostile page can post text/plain or a form without a CORS preflight; it cannot send application/json.
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            for (String path : List.of("/api/login", "/api/setup", "/api/login/totp")) {
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", type)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"dsl\",\"password\":\"" + PASSWORD + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(415, res.statusCode(), type + " " + path);
                assertTrue(res.headers().firstValue("Set-Cookie").isEmpty(), "no session for a cross-site " + type);
            }
        }
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(url("/api/login"))).header("Content-Type", "application/json")
                .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"dsl\",\"password\":\"" + PASSWORD + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, foreign.statusCode());
        HttpResponse<String> own = http.send(HttpRequest.newBuilder(URI.create(url("/api/login"))).header("Content-Type", "application/json")
                .header("Origin", "http://127.0.0.1:" + coordinator.httpPort()).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"dsl\",\"password\":\"" + PASSWORD + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, own.statusCode(), "the dashboard's own page");
        assertEquals(0, number("SELECT count(*) FROM audit WHERE action = 'login-failed'"), "refused before the password check");
    }

    @Test
    void weakPasswordsAreRefusedWithAReason() throws Exception {
        for (String weak : List.of("dsl-backup", "aaaaaaaaaa", "Password2024!", "qwertyuiop", "1234567890", "Safeguarding1")) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> coordinator.staff().put("dsl-backup", Role.COORDINATOR, weak.toCharArray()), weak);
            assertTrue(e.getMessage().startsWith("password"), e.getMessage());
        }
        var change = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> coordinator.staff().password("dsl", "0000000000".toCharArray()));
        assertTrue(change.getMessage().contains("repeated"), change.getMessage());
        coordinator.staff().put("dsl-backup", Role.COORDINATOR, "violet-kettle-harbour".toCharArray());
    }
}
