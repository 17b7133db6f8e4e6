package haven.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.testkit.ChildJvm;
import haven.testkit.Mosquitto;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection against the broker schools really run (Mosquitto): broker outages, a hub and a
 * coordinator killed with SIGKILL, duplicates and bad payloads from a raw client. After each, every event
 * a hub committed is in the coordinator's log exactly once.
 */
class NothingLostNothingDoubledTest {
    @TempDir
    Path dir;

    private Mosquitto broker;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void startBroker() throws Exception {
        broker = Mosquitto.start(dir.resolve("mosquitto"));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        broker.close();
        http.close();
    }

    private <T extends AutoCloseable> T run(T thing) {
        running.add(thing);
        return thing;
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private Hub hub(String room) throws Exception {
        ObjectNode h = Stack.hubJson(room, broker.port(), dir.resolve("hubs"));
        h.putObject("worry").put("coalesceSeconds", 0);
        return run(Hub.start(haven.classroom.HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC()));
    }

    private Coordinator coordinator() throws Exception {
        return run(Coordinator.start(Stack.coordinator(broker.port(), dir), Clock.systemUTC()));
    }

    private Path writeConfig(String name, ObjectNode json) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, Json.write(json)); // JSON is YAML
        return file;
    }

    record Logged(String id, String room, long seq, String type) {
    }

    private static List<Logged> logged(Path coordinatorDb) throws Exception {
        List<Logged> out = new ArrayList<>();
        if (!Files.exists(coordinatorDb)) {
            return out;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinatorDb);
             PreparedStatement ps = c.prepareStatement("SELECT id, room, seq, type FROM events ORDER BY room, seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Logged(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
            }
        } catch (java.sql.SQLException notCreatedYet) {
            return out;
        }
        return out;
    }

    private static Set<String> outboxIds(Path hubDb) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + hubDb);
             ResultSet rs = c.createStatement().executeQuery("SELECT id FROM outbox")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static long unsent(Path hubDb) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + hubDb);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private int press(int kioskPort) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kioskPort + "/api/sim/button"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private boolean healthy(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private ObjectNode childHubConfig(String room, int kioskPort, int keepAlive) {
        ObjectNode h = Stack.hubJson(room, broker.port(), dir.resolve("hubs"));
        h.with("http").put("port", kioskPort);
        h.with("mqtt").put("keepAliveSeconds", keepAlive);
        h.putObject("worry").put("coalesceSeconds", 0);
        h.with("gpio").put("debounceMillis", 20);
        return h;
    }

    /** Every event each hub committed has a row in the log (checked exactly by assertExactlyOnce after). */
    private static boolean allLogged(Path coordinatorDb, List<Hub> hubs) throws Exception {
        List<Logged> log = logged(coordinatorDb);
        for (Hub h : hubs) {
            String room = h.config().room().room();
            if (log.stream().filter(l -> l.room().equals(room)).count() < outboxIds(h.config().database()).size()) {
                return false;
            }
        }
        return true;
    }

    private static void assertExactlyOnce(List<Logged> log, String room, Set<String> hubIds) {
        List<Logged> forRoom = log.stream().filter(l -> l.room().equals(room)).toList();
        Set<String> loggedIds = new HashSet<>();
        forRoom.forEach(l -> assertTrue(loggedIds.add(l.id()), "logged twice: " + l));
        assertEquals(hubIds, loggedIds, "every event the hub committed is in the log, and nothing else");
        for (int i = 0; i < forRoom.size(); i++) {
            assertEquals(i + 1, forRoom.get(i).seq(), "the log view of " + room + " runs 1..n by seq without gaps");
        }
    }

    // ---- the scenarios -------------------------------------------------------------------------------

    @Test
    void twoHundredPressesAcrossFiveHubsSurviveABrokerOutage() throws Exception {
        Coordinator coordinator = coordinator();
        List<Hub> hubs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            hubs.add(hub("room-" + i));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> hubs.stream().allMatch(h -> h.mqtt().isConnected()));
        for (int i = 0; i < 200; i++) {
            if (i == 70) {
                broker.stop();
            }
            if (i == 140) {
                broker.restart();
            }
            hubs.get(i % 5).classroom().press();
        }
        Path db = coordinator.database().file();
        try {
            // hub.started can reach the broker before the coordinator's first subscription exists; gap
            // repair fetches it from the hub, so wait for every hub's whole outbox, not just the presses.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                    logged(db).stream().filter(l -> l.type().equals("worry.reported")).count() >= 200
                            && hubs.stream().allMatch(h -> h.outbox().unsentCount() == 0) && allLogged(db, hubs));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<Logged> log = logged(db);
            StringBuilder why = new StringBuilder("not all delivered:");
            for (Hub h : hubs) {
                String room = h.config().room().room();
                Set<String> ids = outboxIds(h.config().database());
                List<Long> missing = new ArrayList<>();
                Set<String> loggedIds = new HashSet<>();
                log.stream().filter(l -> l.room().equals(room)).forEach(l -> loggedIds.add(l.id()));
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + h.config().database());
                     ResultSet rs = c.createStatement().executeQuery("SELECT seq, id, sent_at FROM outbox ORDER BY seq")) {
                    while (rs.next()) {
                        if (!loggedIds.contains(rs.getString(2))) {
                            missing.add(rs.getLong(1));
                        }
                    }
                }
                why.append(" ").append(room).append(" unsent=").append(h.outbox().unsentCount())
                        .append(" outbox=").append(ids.size()).append(" missingSeqs=").append(missing);
            }
            throw new AssertionError(why.toString(), e);
        }
        List<Logged> log = logged(db);
        assertEquals(200, log.stream().filter(l -> l.type().equals("worry.reported")).count());
        for (Hub h : hubs) {
            assertExactlyOnce(log, h.config().room().room(), outboxIds(h.config().database()));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM incidents")) {
            rs.next();
            assertEquals(200, rs.getInt(1), "200 presses, 200 incidents");
        }
    }

    @Test
    void aHubKilledMidPublishingLosesAndDoublesNothing() throws Exception {
        Coordinator coordinator = coordinator();
        int kioskPort = Ports.free();
        Path config = writeConfig("hub.yaml", childHubConfig("killed", kioskPort, 5));
        Path hubDb = dir.resolve("hubs").resolve("hub-test-school-killed.db");
        ChildJvm child = ChildJvm.haven(dir.resolve("hub-child.log"), "hub", "--config", config.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> healthy(kioskPort));
        int accepted = 0;
        for (int i = 0; i < 25; i++) {
            if (press(kioskPort) == 202) {
                accepted++;
            }
            Thread.sleep(160); // a hand cannot press faster than the button's travel and debounce
        }
        child.kill();
        ChildJvm restarted = run(ChildJvm.haven(dir.resolve("hub-child.log"), "hub", "--config", config.toString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> healthy(kioskPort));
        for (int i = 0; i < 10; i++) {
            if (press(kioskPort) == 202) {
                accepted++;
            }
            Thread.sleep(160);
        }
        Path db = coordinator.database().file();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                unsent(hubDb) == 0 && logged(db).stream().filter(l -> l.room().equals("killed")).count() == outboxIds(hubDb).size());
        restarted.close();
        List<Logged> log = logged(db);
        assertExactlyOnce(log, "killed", outboxIds(hubDb));
        long worries = log.stream().filter(l -> l.room().equals("killed") && l.type().equals("worry.reported")).count();
        assertTrue(worries >= accepted && worries <= 35, "every accepted press is logged once: accepted=" + accepted + " logged=" + worries);
    }

    @Test
    void aCoordinatorKilledMidStreamCatchesUpExactlyOnce() throws Exception {
        int httpPort = Ports.free();
        Path db = dir.resolve("child-coordinator.db");
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", broker.uri()).put("clientId", "haven-coordinator-killtest").put("keepAliveSeconds", 5);
        c.putObject("http").put("host", "127.0.0.1").put("port", httpPort);
        c.put("database", db.toString());
        Path config = writeConfig("coordinator.yaml", c);
        ChildJvm child = ChildJvm.haven(dir.resolve("coordinator-child.log"), "coordinator", "--config", config.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> healthy(httpPort));
        // The coordinator's persistent session exists before the hubs publish (see docs/RELIABILITY.md).
        List<Hub> hubs = List.of(hub("room-a"), hub("room-b"));
        await().atMost(Duration.ofSeconds(15)).until(() -> logged(db).size() >= 2); // both hub.started events
        for (int i = 0; i < 60; i++) {
            if (i == 20) {
                child.kill();
            }
            if (i == 40) {
                child = run(ChildJvm.haven(dir.resolve("coordinator-child.log"), "coordinator", "--config", config.toString()));
            }
            hubs.get(i % 2).classroom().press();
            Thread.sleep(30);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                logged(db).stream().filter(l -> l.type().equals("worry.reported")).count() >= 60);
        List<Logged> log = logged(db);
        for (Hub h : hubs) {
            assertExactlyOnce(log, h.config().room().room(), outboxIds(h.config().database()));
        }
    }

    @Test
    void eventsPublishedBeforeTheCoordinatorEverSubscribedAreRecoveredByResend() throws Exception {
        // The broker accepts (and acknowledges) events nobody is subscribed to yet, then drops them:
        // only the hub's outbox still has them. The coordinator learns the hub's lastSeq from its status.
        List<Hub> hubs = List.of(hub("early-a"), hub("early-b"));
        await().atMost(Duration.ofSeconds(10)).until(() -> hubs.stream().allMatch(h -> h.mqtt().isConnected()));
        for (int i = 0; i < 20; i++) {
            hubs.get(i % 2).classroom().press();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> hubs.stream().allMatch(h -> h.outbox().unsentCount() == 0));

        Coordinator coordinator = coordinator();
        Path db = coordinator.database().file();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                logged(db).stream().filter(l -> l.type().equals("worry.reported")).count() == 20 && allLogged(db, hubs));
        List<Logged> log = logged(db);
        for (Hub h : hubs) {
            assertExactlyOnce(log, h.config().room().room(), outboxIds(h.config().database()));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM rooms WHERE gap_warning IS NOT NULL")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the gap warnings cleared once the events arrived");
        }
    }

    @Test
    void aFullDiskOnTheCoordinatorAcknowledgesNothingAndLosesNothing() throws Exception {
        Coordinator coordinator = coordinator();
        Hub hub = hub("disk-full");
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isConnected() && coordinator.ingest().accepted() >= 1);
        // SQLite's own page limit gives the same SQLITE_FULL a full disk gives.
        coordinator.database().query(c -> {
            try (var st = c.getConnection().createStatement(); ResultSet rs = st.executeQuery("PRAGMA page_count")) {
                rs.next();
                st.execute("PRAGMA max_page_count = " + rs.getLong(1));
            }
            return null;
        });
        for (int i = 0; i < 30; i++) {
            hub.classroom().press();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.outbox().unsentCount() == 0); // the broker has them
        Path db = coordinator.database().file();
        long whileFull = logged(db).stream().filter(l -> l.type().equals("worry.reported")).count();
        assertTrue(whileFull < 30, "the disk filled up during the test (" + whileFull + " fitted)");
        coordinator.database().query(c -> {
            try (var st = c.getConnection().createStatement()) {
                st.execute("PRAGMA max_page_count = 1073741823");
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                logged(db).stream().filter(l -> l.type().equals("worry.reported")).count() == 30);
        assertExactlyOnce(logged(db), "disk-full", outboxIds(hub.config().database()));
    }

    private MqttClient rawClient() throws Exception {
        MqttClient raw = new MqttClient(broker.uri(), "raw-" + UUID.randomUUID(), new MemoryPersistence());
        raw.connect(new MqttConnectOptions());
        return raw;
    }

    @Test
    void theSameEventPublishedTwiceIsOneIncidentAndACountedDuplicate() throws Exception {
        Coordinator coordinator = coordinator();
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.mqtt().isSubscribed());
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), 1, EventType.WORRY_REPORTED, new RoomId("raw", "twice"),
                Instant.now(), data);
        MqttClient raw = rawClient();
        byte[] payload = new EventCodec().encode(e);
        raw.publish(e.topic(), payload, 1, false);
        raw.publish(e.topic(), payload, 1, false);
        raw.disconnect();
        raw.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.ingest().duplicates() == 1);
        assertEquals(1, coordinator.ingest().accepted());
        assertEquals(1, logged(coordinator.database().file()).size());
    }

    @Test
    void everyKindOfBadPayloadIsKeptInRejectedWhileIngestCarriesOn() throws Exception {
        Coordinator coordinator = coordinator();
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.mqtt().isSubscribed());
        RoomId room = new RoomId("raw", "bad");
        String topic = Topics.event(room, EventType.WORRY_REPORTED);
        ObjectNode data = Json.object();
        data.put("presses", 1);
        String good = new String(new EventCodec().encode(new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), 1,
                EventType.WORRY_REPORTED, room, Instant.now(), data)), StandardCharsets.UTF_8);
        List<String[]> bad = List.of(
                new String[] {topic, "{" + "\"pad\":\"" + "x".repeat(20_000) + "\"}"},      // oversized
                new String[] {topic, "this is not json"},                                  // not JSON
                new String[] {topic, "{\"id\":\"" + new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next() + "\",\"seq\":1}"},  // missing fields
                new String[] {"haven/v1/raw/bad/event/made.up", good.replace("worry.reported", "made.up")}, // unknown type
                new String[] {"haven/v1/raw/other/event/worry.reported", good},            // site/room mismatch
                new String[] {"haven/v1/raw/bad/sideways", good});                          // outside the contract
        MqttClient raw = rawClient();
        for (String[] b : bad) {
            raw.publish(b[0], b[1].getBytes(StandardCharsets.UTF_8), 1, false);
        }
        raw.publish(topic, good.getBytes(StandardCharsets.UTF_8), 1, false);
        raw.disconnect();
        raw.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.ingest().accepted() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.ingest().rejected() == bad.size());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery("SELECT reason FROM rejected ORDER BY id")) {
            List<String> reasons = new ArrayList<>();
            while (rs.next()) {
                reasons.add(rs.getString(1));
            }
            assertEquals(bad.size(), reasons.size());
            assertTrue(reasons.get(0).contains("over the limit"), reasons.get(0));
            assertTrue(reasons.get(1).contains("not JSON"), reasons.get(1));
            assertTrue(reasons.get(2).contains("missing"), reasons.get(2));
            assertTrue(reasons.get(3).contains("unknown event type"), reasons.get(3));
            assertTrue(reasons.get(4).contains("does not match the topic"), reasons.get(4));
            assertTrue(reasons.get(5).contains("not part of contract"), reasons.get(5));
        }
    }

    private Boolean online(Path db, String room) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ps = c.prepareStatement("SELECT online FROM rooms WHERE room = ?")) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) == 1 : null;
            }
        }
    }

    @Test
    void aKilledHubShowsOfflineWithinOneAndAHalfKeepalivesAndOnlineAgainOnRestart() throws Exception {
        Coordinator coordinator = coordinator();
        int keepAlive = 2;
        int kioskPort = Ports.free();
        Path config = writeConfig("hub.yaml", childHubConfig("presence", kioskPort, keepAlive));
        ChildJvm child = ChildJvm.haven(dir.resolve("presence.log"), "hub", "--config", config.toString());
        Path db = coordinator.database().file();
        await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(online(db, "presence")));

        long killedAt = System.nanoTime();
        child.kill();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> Boolean.FALSE.equals(online(db, "presence")));
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        // The broker's bound is 1.5 x keepalive; allow half a second for its timer tick and our commit.
        assertTrue(seconds <= keepAlive * 1.5 + 0.5, "offline after " + seconds + " s");

        run(ChildJvm.haven(dir.resolve("presence.log"), "hub", "--config", config.toString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(online(db, "presence")));
        assertNull(coordinator.ingest().rejected() > 0 ? "rejected" : null, "the Will and status were all valid");
    }
}
