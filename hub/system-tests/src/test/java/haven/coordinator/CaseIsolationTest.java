package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.evidence.EvidenceCheck;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.StaffClient;
import haven.testkit.TestCoordinator;
import haven.testkit.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Isolation as part of a case (docs/CASEWORK.md), on SQLite and PostgreSQL: the key switch opens the room's
 * case with source isolation or joins the one open, a remote isolation does the same with its reason, and
 * every machine isolated in a room is released together by one pair of senior sign-offs.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class CaseIsolationTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = TestCoordinator.PASSWORD;
    private static final RoomId YEAR5 = new RoomId("test-school", "year5");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private long seq;
    private TestCoordinator running;
    private TestDatabases.TestDatabase store;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        running = TestCoordinator.start(dialect, dir, clock, "isolation-case-test");
        running
                .staff("dsl", Role.COORDINATOR)
                .staff("slt", Role.SENIOR);
        coordinator = running.coordinator();
        store = running.store();
    }

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private StaffClient as(String name) throws Exception {
        return running.as(name);
    }

    private void keySwitch(String machine, String ip) {
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, EventType.ISOLATION_REQUESTED, YEAR5, clock.instant(),
                Json.object().put("machine", machine).put("mac", "02:00:00:00:00:0" + machine.length()).put("ip", ip));
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
    }

    private Set<String> isolationCases() throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = store.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT incident_report FROM isolations")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static JsonNode json(HttpResponse<String> answer) {
        return Json.parse(answer.body().getBytes());
    }

    @Test
    void theKeySwitchOpensTheRoomsCaseAndASecondMachineJoinsIt() throws Exception {
        try (StaffClient dsl = as("dsl"); StaffClient slt = as("slt")) {
            keySwitch("pc-07", "10.0.5.7");
            await().atMost(Duration.ofSeconds(10)).until(() -> json(dsl.get("/api/incidents?status=open")).get("incidents").size() == 1);
            JsonNode incident = json(dsl.get("/api/incidents?status=open")).get("incidents").get(0);
            assertEquals("isolation", incident.get("source").asText());
            keySwitch("pc-08", "10.0.5.8");
            HttpResponse<String> remote = dsl.post("/api/rooms/test-school/year5/isolate",
                    "{\"machine\":\"pc-09\",\"reason\":\"a pupil reported an upsetting pop-up\"}");
            assertTrue(remote.statusCode() == 202 || remote.statusCode() == 503, remote.body());
            await().atMost(Duration.ofSeconds(10)).until(() -> json(dsl.get("/api/isolations")).get("isolations").size() == 2);
            assertEquals(1, json(dsl.get("/api/incidents?status=open")).get("incidents").size(), "one case for the room");
            assertEquals(Set.of(incident.get("reportId").asText()), isolationCases());
            long id = incident.get("id").asLong();
            assertEquals(201, dsl.post("/api/incidents/" + id + "/notes", "{\"text\":\"cable unplugged by the class teacher\"}")
                    .statusCode());

            assertEquals(400, dsl.post("/api/rooms/test-school/year5/release", "{\"reason\":\"checked\"}").statusCode(),
                    "who reconnected the cable is recorded");
            String signOff = "{\"reason\":\"both computers checked by the technician\",\"reconnectedBy\":\"ms-tech\"}";
            JsonNode first = json(dsl.post("/api/rooms/test-school/year5/release", signOff));
            assertEquals(1, first.get("stillNeeded").asInt());
            assertEquals(2, first.get("machines").size());
            assertEquals(1, json(dsl.post("/api/rooms/test-school/year5/release", signOff)).get("stillNeeded").asInt(),
                    "the same person twice is one sign-off");
            JsonNode second = json(slt.post("/api/rooms/test-school/year5/release", signOff));
            assertEquals(0, second.get("stillNeeded").asInt(), second.toString());
            for (JsonNode m : second.get("machines")) {
                assertTrue(m.get("releaseSent").asBoolean(), m.toString());
            }
            assertEquals(404, dsl.post("/api/rooms/test-school/year6/release", signOff).statusCode());
        }
        try (Connection c = store.connect()) {
            EvidenceCheck.Result result = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), () -> result.finding().orElseThrow().toString());
        }
        try (Connection c = store.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM isolations WHERE release_requested_at IS NOT NULL")) {
            rs.next();
            assertEquals(2, rs.getInt(1), "one pair of sign-offs released every machine of the room");
        }
    }

    @Test
    void aRemoteIsolationOpensACaseWithItsReason() throws Exception {
        try (StaffClient dsl = as("dsl")) {
            dsl.post("/api/rooms/test-school/year5/isolate", "{\"machine\":\"pc-07\",\"reason\":\"suspected misuse reported by staff\"}");
            JsonNode incidents = json(dsl.get("/api/incidents?status=open")).get("incidents");
            assertEquals(1, incidents.size());
            assertEquals("isolation", incidents.get(0).get("source").asText());
            assertEquals("suspected misuse reported by staff", incidents.get(0).get("summary").asText());
            assertFalse(incidents.get(0).get("caseNumber").isNull());
        }
        try (Connection c = store.connect()) {
            EvidenceCheck.Result result = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), () -> result.finding().orElseThrow().toString());
        }
    }
}
