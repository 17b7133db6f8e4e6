package haven.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The physical floor of one press, measured beside it: what the design cannot avoid besides the raw broker
 * round trip. docs/RELIABILITY.md requires two durable commits on the path (the hub's outbox, the
 * coordinator's log), and the press enters over one loopback HTTP request. So: two single-row commits,
 * each its own transaction, in a SQLite file on the same disk with the pragmas Haven uses (WAL,
 * synchronous=FULL), and one request to a minimal HTTP server on 127.0.0.1 that answers 202 with no body.
 */
final class FloorProbe implements AutoCloseable {
    private final Connection db;
    private final PreparedStatement insert;
    private final HttpServer server;
    private final HttpClient http;
    private final HttpRequest request;
    private long row;

    private FloorProbe(Connection db, HttpServer server) throws SQLException {
        this.db = db;
        this.insert = db.prepareStatement("INSERT INTO floor(n, payload) VALUES (?, ?)");
        this.server = server;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/press"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    /** {@code file} should sit in the folder the hubs' and coordinator's databases are in: the same disk. */
    static FloorProbe open(Path file) throws SQLException, IOException {
        // As Haven's own connections (Database.open): no generated-keys query after each insert, so the floor is the commit.
        java.util.Properties props = new java.util.Properties();
        props.setProperty("jdbc.get_generated_keys", "false");
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            st.execute("CREATE TABLE IF NOT EXISTS floor(n INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
        }
        c.setAutoCommit(false);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/press", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        server.setExecutor(null);
        server.start();
        return new FloorProbe(c, server);
    }

    /** Two single-row commits, one after the other, as the hub and then the coordinator make them. */
    long twoCommitsNanos(String payload) throws SQLException {
        long t0 = System.nanoTime();
        for (int i = 0; i < 2; i++) {
            insert.setLong(1, ++row);
            insert.setString(2, payload);
            insert.executeUpdate();
            db.commit();
        }
        return System.nanoTime() - t0;
    }

    /** One POST with no body to the loopback server, answered 202 (the kiosk's sim button answers 202). */
    long httpNanos() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<Void> res = http.send(request, HttpResponse.BodyHandlers.discarding());
        long took = System.nanoTime() - t0;
        if (res.statusCode() != 202) {
            throw new IllegalStateException("floor HTTP server answered " + res.statusCode());
        }
        return took;
    }

    @Override
    public void close() {
        http.close();
        server.stop(0);
        try {
            insert.close();
            db.close();
        } catch (SQLException ignored) {
            // a probe's scratch file; nothing to keep
        }
    }
}
