package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.evidence.AuditLog;
import haven.demo.EmbeddedBroker;
import haven.protocol.FollowUpCode;
import haven.protocol.Json;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.Stack;
import haven.testkit.StaffClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follow-up code expires with retention: once the retention purge has removed the report it belongs to,
 * {@code GET /api/follow-up/{code}} answers 404 like any wrong code (and is audited as a miss), while a
 * newer report's code still finds its own. Real hub, broker and coordinator; the purge is the coordinator's.
 */
class FollowUpAfterPurgeTest {
    private static final String KEY = "purge-test-follow-up-key-0123456789abcdef";
    private static final String PASSWORD = "correct-horse-battery";
    private static final Duration KEEP = Duration.ofDays(365);

    @TempDir
    Path dir;

    private final MutableClock coordinatorClock = new MutableClock(Instant.now());
    private final MutableClock hubClock = new MutableClock(Instant.now());
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Hub hub;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("keepAliveSeconds", 5)
                .put("clientId", "coordinator-" + Long.toHexString(System.nanoTime()));
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor");
        c.put("database", dir.resolve("coordinator.db").toString());
        Stack.testSigningKey(c, dir);
        c.putObject("ingest").put("repairSeconds", 1);
        c.putObject("followUp").put("key", KEY);
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test coordinator", c)), coordinatorClock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        ObjectNode h = Stack.hubJson("year2", broker.port(), dir.resolve("hub"));
        h.putObject("followUp").put("key", KEY);
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), hubClock);
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
    }

    @AfterEach
    void stop() {
        hub.close();
        coordinator.close();
        broker.close();
        http.close();
    }

    private HttpResponse<String> kiosk(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A press and "I want to talk to someone"; returns the words the pupil was shown once it has reached the coordinator. */
    private FollowUpCode pupilAsksToTalk(long codesBefore) throws Exception {
        assertEquals(202, kiosk("/api/sim/button").statusCode());
        HttpResponse<String> asked = kiosk("/api/kiosk/follow-up");
        assertEquals(2, asked.statusCode() / 100, asked.body());
        String shown = Json.parse(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/kiosk")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body()).path("followUpCode").asText();
        await().atMost(Duration.ofSeconds(15))
                .until(() -> count("SELECT count(*) FROM events WHERE type = 'worry.follow-up'") == codesBefore + 1);
        return FollowUpCode.parse(shown);
    }

    private static String path(FollowUpCode code) {
        return "/api/follow-up/" + code.first() + "-" + code.second();
    }

    @Test
    void aCodeWhoseReportWasPurgedIsNotFoundAndANewerOneStillIs() throws Exception {
        FollowUpCode old = pupilAsksToTalk(0);
        long incident;
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            HttpResponse<String> found = dsl.get(path(old));
            assertEquals(200, found.statusCode(), "the code finds its report before the purge: " + found.body());
            incident = Json.parse(found.body().getBytes()).get("incident").get("id").asLong();
            HttpResponse<String> closed = dsl.post("/api/incidents/" + incident + "/close",
                    "{\"outcome\":\"no-further-action\",\"notes\":\"spoke with the pupil\"}");
            assertEquals(200, closed.statusCode(), closed.body());
        }

        // A year and more later the report is past retention; another pupil's newer report is not.
        coordinatorClock.advance(KEEP.plusDays(35));
        hubClock.advance(Duration.ofHours(1));
        FollowUpCode recent = pupilAsksToTalk(1);
        for (long codes = 2; recent.equals(old); codes++) {
            // The same two words by chance (1 in 4032): one more report, so the two codes differ.
            hubClock.advance(Duration.ofHours(1));
            recent = pupilAsksToTalk(codes);
        }
        Retention.Purge purge = new Retention(coordinator.database(), new AuditLog(coordinator.database(), coordinatorClock),
                coordinatorClock, KEEP).purgeOnce();
        assertEquals(1, purge.incidents(), "the closed report went: " + purge);
        assertEquals(0, count("SELECT count(*) FROM incidents WHERE id = " + incident));
        assertEquals(0, count("SELECT count(*) FROM events WHERE type = 'worry.follow-up' AND payload LIKE '%" + old.hash(KEY) + "%'"),
                "the code's keyed hash went with its report's events");

        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            HttpResponse<String> gone = dsl.get(path(old));
            assertEquals(404, gone.statusCode(), "a purged report's code finds nothing: " + gone.body());
            assertTrue(!gone.body().contains(old.first()), "the answer does not echo the words: " + gone.body());
            assertEquals(1, count("SELECT count(*) FROM audit WHERE action = 'follow-up-miss' AND actor = 'dsl'"),
                    "the look-up of a purged code is audited like any miss");
            HttpResponse<String> kept = dsl.get(path(recent));
            assertEquals(200, kept.statusCode(), "the newer report's code still finds it: " + kept.body());
            assertTrue(Json.parse(kept.body().getBytes()).get("incident").get("id").asLong() != incident);
        }
    }
}
