package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse proxy of docs/INSTALL-COORDINATOR.md, for real: Debian's nginx with the documented proxy headers in
 * front of the coordinator (`http.trustedProxies: [127.0.0.1]`), and staff and strangers connecting to nginx from
 * different loopback addresses (127.0.0.2, 127.0.0.3), as machines on the school network would.
 */
class NginxForwardedForTest {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Process nginx;
    private int proxyPort;

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(NGINX)) {
            String why = "needs Debian's nginx (apt-get install nginx-light)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "nginx-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0).putArray("trustedProxies").add("127.0.0.1");
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        proxyPort = Ports.free();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                user root;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    server {
                        listen 127.0.0.1:%2$d;
                        location / {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection "upgrade";
                            proxy_set_header Host $host;
                            proxy_set_header X-Forwarded-Proto https;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        }
                    }
                }
                """.formatted(dir, proxyPort, coordinator.httpPort()));
        nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket("127.0.0.1", proxyPort)) {
                return true;
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            nginx.waitFor();
        }
        if (coordinator != null) {
            coordinator.close();
            broker.close();
        }
    }

    private HttpClient from(String address) throws Exception {
        return HttpClient.newBuilder().localAddress(InetAddress.getByName(address)).build();
    }

    private HttpResponse<String> send(HttpClient client, HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder proxied(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path));
    }

    private int login(HttpClient client, String password) throws Exception {
        return send(client, proxied("/api/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"dsl\",\"password\":\"" + password + "\"}"))).statusCode();
    }

    @Test
    void throughNginxEachClientIsItselfForTheLimitTheAuditAndMetrics() throws Exception {
        try (HttpClient stranger = from("127.0.0.2"); HttpClient dsl = from("127.0.0.3"); HttpClient local = from("127.0.0.1")) {
            assertEquals(200, send(local, proxied("/health")).statusCode(), "nginx passes requests on");
            assertEquals(403, send(stranger, proxied("/metrics")).statusCode(), "another machine through the proxy");
            assertEquals(403, send(stranger, proxied("/metrics").header("X-Forwarded-For", "127.0.0.1")).statusCode(),
                    "nginx appends the address it saw: the forged hop on the left does not count");
            assertEquals(200, send(local, proxied("/metrics")).statusCode(), "this machine, through the proxy");
            for (int i = 0; i < 5; i++) {
                assertEquals(401, login(stranger, "wrong-guess-" + i));
            }
            assertEquals(429, login(stranger, PASSWORD));
            assertEquals(200, login(dsl, PASSWORD), "the stranger's guesses do not lock the DSL out");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery("SELECT DISTINCT target FROM audit WHERE action IN ('login-failed', 'login') ORDER BY target")) {
            java.util.List<String> seen = new java.util.ArrayList<>();
            while (rs.next()) {
                seen.add(rs.getString(1));
            }
            assertEquals(java.util.List.of("127.0.0.2", "127.0.0.3"), seen, "the audit names the clients, not the proxy");
        }
    }
}
