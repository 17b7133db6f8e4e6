package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind the documented reverse proxy (nginx on the same machine, `http.trustedProxies: [127.0.0.1]`) every
 * connection comes from 127.0.0.1. The client is the rightmost X-Forwarded-For hop the proxy did not write, and
 * only a trusted peer's header counts: from 127.0.0.2 (an untrusted peer on this machine) a forged header changes
 * nothing. Real coordinator, real HTTP from two source addresses.
 */
class ForwardedForTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private final HttpClient viaProxy = HttpClient.newHttpClient();
    private HttpClient untrusted;

    @BeforeEach
    void start() throws Exception {
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "xff-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0).putArray("trustedProxies").add("127.0.0.1").add("fd00::/8");
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        untrusted = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
    }

    @AfterEach
    void stop() {
        viaProxy.close();
        untrusted.close();
        coordinator.close();
        broker.close();
    }

    private HttpResponse<String> get(HttpClient client, String path, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.httpPort() + path));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int login(HttpClient client, String password, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.httpPort() + "/api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"dsl\",\"password\":\"" + password + "\"}"));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private List<String> failedLoginAddresses() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery("SELECT target FROM audit WHERE action = 'login-failed' ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void metricsStayOnThisMachineBehindTheProxy() throws Exception {
        assertEquals(200, get(viaProxy, "/metrics", null).statusCode(), "a local scraper, no proxy in between");
        assertEquals(403, get(viaProxy, "/metrics", "203.0.113.7").statusCode(), "a stranger through the proxy");
        assertEquals(403, get(viaProxy, "/metrics", "127.0.0.1, 203.0.113.7").statusCode(),
                "a stranger who wrote 127.0.0.1 into the header: only the rightmost hop the proxy saw counts");
        assertEquals(403, get(untrusted, "/metrics", "127.0.0.1").statusCode(), "a forged header from an untrusted peer");
    }

    @Test
    void fiveWrongLoginsFromOneStrangerDoNotLockOutTheDsl() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(401, login(viaProxy, "wrong-guess-" + i, "203.0.113.7"));
        }
        assertEquals(429, login(viaProxy, PASSWORD, "203.0.113.7"), "the guesser waits");
        assertEquals(200, login(viaProxy, PASSWORD, "198.51.100.20"), "the DSL on the school network logs in");
        assertEquals(401, login(untrusted, "wrong-guess", "198.51.100.20"), "an untrusted peer's header is ignored");
        List<String> addresses = failedLoginAddresses();
        assertEquals(6, addresses.size());
        assertTrue(addresses.subList(0, 5).stream().allMatch("203.0.113.7"::equals), "the audit names the client: " + addresses);
        assertEquals("127.0.0.2", addresses.get(5), "not the address the untrusted peer claimed");
    }
}
