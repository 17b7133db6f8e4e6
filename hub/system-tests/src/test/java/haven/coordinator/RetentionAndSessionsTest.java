package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.cli.HavenCli;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions expire; guessing passwords is slowed; an export is complete. (The retention purge: RetentionPurgeTest.) */
class RetentionAndSessionsTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId ROOM = new RoomId("test-school", "year5");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T10:00:00Z"));
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private final EventCodec codec = new EventCodec();
    private long seq;

    @BeforeEach
    void start() throws Exception {
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "retention-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
    }

    @AfterEach
    void stop() {
        coordinator.close();
        broker.close();
    }

    private void worry() {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, EventType.WORRY_REPORTED, ROOM, clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aSessionExpiresAndRepeatedWrongPasswordsAreSlowedDown() throws Exception {
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            assertEquals(200, dsl.get("/api/rooms").statusCode());
            clock.advance(Duration.ofHours(11));
            assertEquals(401, dsl.get("/api/rooms").statusCode(), "sessions last a school day, not for ever");
        }
        try (StaffClient guesser = new StaffClient(coordinator.httpPort())) {
            for (int i = 0; i < 5; i++) {
                assertEquals(401, guesser.login("dsl", "wrong-guess-" + i));
            }
            assertEquals(429, guesser.login("dsl", PASSWORD), "after five failures even the right password waits");
            clock.advance(Duration.ofMinutes(6));
            assertEquals(200, guesser.login("dsl", PASSWORD));
        }
        assertEquals(5, count("SELECT count(*) FROM audit WHERE action = 'login-failed'"));
    }

    @Test
    void anExportHoldsTheIncidentItsChronologyAndTheChainProof() throws Exception {
        worry();
        Path out = dir.resolve("export");
        assertEquals(0, HavenCli.run("export", "--incident", "1", "--out", out.toString(),
                "--db", coordinator.database().file().toString(), "--by", "dsl"));
        var json = Json.parse(Files.readAllBytes(out.resolve("incident-1.json")));
        assertEquals(1, json.get("incident").get("id").asLong());
        assertTrue(json.get("chainProof").get("chainIntact").asBoolean());
        assertEquals("worry.reported", json.get("chainProof").get("events").get(0).get("type").asText());
        String html = Files.readString(out.resolve("incident-1.html"));
        assertTrue(html.contains("Chain proof") && !html.contains("<script"), html);
        assertEquals(1, count("SELECT count(*) FROM audit WHERE action = 'export'"));
        assertEquals(2, HavenCli.run("export", "--incident", "99", "--out", out.toString(),
                "--db", coordinator.database().file().toString()));
    }
}
