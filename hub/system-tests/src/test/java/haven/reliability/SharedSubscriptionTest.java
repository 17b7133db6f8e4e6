package haven.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.protocol.Json;
import haven.store.Dialect;
import haven.coordinator.evidence.EventLog;
import haven.testkit.Mosquitto;
import haven.testkit.Stack;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scale-out: two coordinators on one MQTT shared subscription and one database. Each event is ingested
 * by exactly one of them, both do real work, the hash chain stays a single intact chain, and when one
 * instance stops the other carries on alone. On one SQLite file and on one real PostgreSQL database.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class SharedSubscriptionTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private Mosquitto broker;
    private TestDatabases databases;
    private TestDatabases.TestDatabase shared;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        databases = new TestDatabases(dialect, dir);
        shared = databases.create("shared");
        broker = Mosquitto.start(dir.resolve("mosquitto"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        if (broker != null) {
            broker.close();
        }
        databases.close();
    }

    private Coordinator coordinator(String id) throws Exception {
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", broker.uri()).put("clientId", id).put("sharedGroup", "haven").put("keepAliveSeconds", 5);
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        shared.configure(c);
        c.putObject("ingest").put("repairSeconds", 1);
        Coordinator coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test " + id, c)), Clock.systemUTC());
        running.add(coordinator);
        return coordinator;
    }

    private long worries() throws Exception {
        try (Connection c = shared.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events WHERE type = 'worry.reported'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void twoCoordinatorsSplitTheTrafficAndLogEachEventExactlyOnce() throws Exception {
        Coordinator a = coordinator("coordinator-a");
        Coordinator b = coordinator("coordinator-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.mqtt().isConnected() && b.mqtt().isConnected());
        List<Hub> hubs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            ObjectNode h = Stack.hubJson("room-" + i, broker.port(), dir.resolve("hubs"));
            h.putObject("worry").put("coalesceSeconds", 0);
            Hub hub = Hub.start(HubConfig.from(ConfigFile.of("hub", h)), Clock.systemUTC());
            running.add(hub);
            hubs.add(hub);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> hubs.stream().allMatch(h -> h.mqtt().isConnected()));
        for (int i = 0; i < 120; i++) {
            if (i == 80) {
                a.close(); // one instance goes away mid-stream; the group carries on
            }
            hubs.get(i % 3).classroom().press();
            Thread.sleep(10);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> worries() == 120);
        assertTrue(a.ingest().accepted() > 0 && b.ingest().accepted() > 0,
                "both instances ingested: a=" + a.ingest().accepted() + " b=" + b.ingest().accepted());
        try (Connection c = shared.connect()) {
            EventLog.Verification v = EventLog.verify(haven.store.SqlTypes.borrow(c));
            assertTrue(v.intact(), "one chain, written by two processes in turn: " + v.firstBreak());
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*), count(DISTINCT id) FROM events WHERE type = 'worry.reported'")) {
                rs.next();
                assertEquals(120, rs.getInt(1));
                assertEquals(120, rs.getInt(2));
            }
        }
    }
}
