package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import haven.testkit.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One hostile hub must not hide every real worry: a flood of valid forged reports from one room, dated long ago
 * and "about an adult" (so the DSL's filter drops them), once filled the capped list before the filter ran.
 * SQLite only: the limits and the list are dialect-free SQL, and the flood is long.
 */
class HubFloodTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId YEAR5 = new RoomId("test-school", "year5");
    private static final RoomId YEAR6 = new RoomId("test-school", "year6");
    private static final RoomId YEAR4 = new RoomId("test-school", "year4");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final UuidV7 ids = new UuidV7(clock);
    private final EventCodec codec = new EventCodec();
    private EmbeddedBroker broker;
    private TestDatabases databases;
    private Coordinator coordinator;
    private final java.util.Map<RoomId, Long> seqs = new java.util.HashMap<>();

    @BeforeEach
    void start() throws Exception {
        databases = new TestDatabases(haven.store.Dialect.SQLITE, dir);
        TestDatabases.TestDatabase store = databases.create("coordinator");
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "flood-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        store.configure(c);
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("head", Role.HEAD, PASSWORD.toCharArray());
    }

    @AfterEach
    void stop() throws Exception {
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
        databases.close();
    }

    private String worry(RoomId room, Instant at, String category) {
        ObjectNode data = Json.object().put("presses", 1);
        if (category != null) {
            data.put("category", category);
        }
        Event e = new Event(ids.next().toString(), seqs.merge(room, 1L, Long::sum), EventType.WORRY_REPORTED, room, at, data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
        return e.id();
    }

    private static List<String> reportIds(JsonNode incidents) {
        List<String> out = new ArrayList<>();
        incidents.forEach(i -> out.add(i.path("reportId").asText()));
        return out;
    }

    @Test
    void aFloodFromOneRoomHidesNeitherTheRealOpenWorriesNorANewPressElsewhere() throws Exception {
        String before = worry(YEAR5, clock.instant(), "stranger-contact");
        clock.advance(Duration.ofMinutes(1));
        // The hostile hub: valid reports, dated weeks ago, "about an adult" so the DSL may not see them.
        Instant old = clock.instant().minus(Duration.ofDays(30));
        for (int i = 0; i < 600; i++) {
            worry(YEAR6, old.plusSeconds(i), "about-an-adult");
            if (i % 25 == 24) {
                clock.advance(Duration.ofSeconds(61)); // within the per-minute limit: the per-room limit is what holds
            }
        }
        clock.advance(Duration.ofMinutes(1));
        String press = worry(YEAR4, clock.instant(), null);

        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            HttpResponse<String> list = dsl.get("/api/incidents?status=open");
            JsonNode rows = Json.parse(list.body().getBytes()).get("incidents");
            List<String> listed = reportIds(rows);
            assertTrue(listed.contains(before), "the real open worry is on the list");
            assertTrue(listed.contains(press), "the new press in another room is on the list");
            // The escalation timer may already have escalated `before` (26 minutes unacknowledged on this clock),
            // and an escalated worry rightly leads; among the rest, the newest received comes first.
            List<String> notEscalated = new ArrayList<>();
            rows.forEach(i -> {
                if (!"escalated".equals(i.path("status").asText())) {
                    notEscalated.add(i.path("reportId").asText());
                }
            });
            assertEquals(press, notEscalated.getFirst(), "most urgent first: unacknowledged, newest received");
            JsonNode snapshot = Json.parse(dsl.get("/api/snapshot").body().getBytes());
            List<String> shown = reportIds(snapshot.get("incidents"));
            assertTrue(shown.contains(before) && shown.contains(press), "and on the live snapshot");
            assertEquals(600, coordinator.ingest().accepted() - 2, "every forged report is still logged: nothing is refused for volume");
            try (StaffClient head = new StaffClient(coordinator.httpPort())) {
                assertEquals(200, head.login("head", PASSWORD));
                JsonNode all = Json.parse(head.get("/api/incidents?status=open").body().getBytes()).get("incidents");
                long fromYear6 = 0;
                for (JsonNode i : all) {
                    fromYear6 += i.path("room").asText().equals(YEAR6.room()) ? 1 : 0;
                }
                assertEquals(Incidents.MAX_LISTED_PER_ROOM, fromYear6, "the head, who may see them, sees the flood's newest few");
                assertTrue(reportIds(all).containsAll(List.of(before, press)));
            }
            JsonNode flooded = null;
            for (JsonNode room : snapshot.get("rooms")) {
                if (room.path("room").asText().equals(YEAR6.room())) {
                    flooded = room;
                }
            }
            assertTrue(flooded != null && flooded.path("flood").asText("").contains("unacknowledged"),
                    "the flood is one condition on its room: " + flooded);
        }
    }

    @Test
    void incidentDataExportsAndCsvAreNeverCached() throws Exception {
        worry(YEAR5, clock.instant(), "stranger-contact");
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            long id = Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            for (String path : List.of("/api/incidents?status=open", "/api/incidents/" + id, "/api/snapshot",
                    "/api/incidents/" + id + "/export", "/api/incidents/" + id + "/export?format=json", "/api/reports.csv")) {
                HttpResponse<String> answer = dsl.get(path);
                assertEquals(200, answer.statusCode(), path);
                assertEquals("no-store", answer.headers().firstValue("Cache-Control").orElse(""), path);
            }
        }
    }
}
