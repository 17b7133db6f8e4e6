package haven.coordinator.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.FilterResult;
import haven.protocol.HubHealth;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.StaffClient;
import haven.testkit.TestCoordinator;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's answers byte for byte (issue #14): the response bodies became records, and the page reads the
 * same text as when they were trees built by hand. Field order, numbers as numbers, versions as strings, nulls
 * kept and absent fields left out are all pinned by one transcript (response-bodies.txt); only what differs on
 * every run (event ids, the CSRF token, a TOTP-free login's cookie) is masked.
 */
class ResponseBodiesTest {
    private static final String PASSWORD = TestCoordinator.PASSWORD;
    private static final RoomId YEAR5 = new RoomId("test-school", "year5");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final StringBuilder transcript = new StringBuilder();
    private long seq;
    private TestCoordinator running;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        running = TestCoordinator.start(Dialect.SQLITE, dir, clock, "response-bodies-test");
        running.staff("dsl", Role.COORDINATOR).staff("slt", Role.SENIOR).staff("tech", Role.TECHNICIAN)
                .staff("teacher", Role.TEACHER).staff("gov", Role.GOVERNOR);
        coordinator = running.coordinator();
    }

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private void deliver(EventType type, com.fasterxml.jackson.databind.node.ObjectNode data) {
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, type, YEAR5,
                clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
    }

    private String note(String what, HttpResponse<String> answer) {
        String body = answer.body()
                .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
                .replaceAll("\"csrf\":\"[^\"]*\"", "\"csrf\":\"<csrf>\"");
        transcript.append(what).append(" ").append(answer.statusCode()).append(" ").append(body).append('\n');
        return answer.body();
    }

    @Test
    void everyAnswerReadsAsTheTreeItReplaced() throws Exception {
        int port = coordinator.httpPort();
        try (StaffClient anonymous = new StaffClient(port)) {
            note("GET /api/session (nobody)", anonymous.get("/api/session"));
            note("GET /api/login/policy", anonymous.get("/api/login/policy"));
        }
        HttpResponse<String> login = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"gov\",\"password\":\"" + PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        note("POST /api/login", login);
        try (StaffClient dsl = running.as("dsl"); StaffClient slt = running.as("slt"); StaffClient tech = running.as("tech");
             StaffClient teacher = running.as("teacher"); StaffClient gov = running.as("gov")) {
            note("GET /api/session", dsl.get("/api/session"));
            note("GET /api/status", dsl.get("/api/status"));
            note("GET /api/push/key", dsl.get("/api/push/key"));
            note("GET /api/reports (no Staff AUP)", gov.get("/api/reports"));
            note("GET /api/aups/staff (none)", dsl.get("/api/aups/staff"));
            note("GET /api/aups/staff/acceptance (none)", dsl.get("/api/aups/staff/acceptance"));
            note("POST /api/aups ks2", dsl.post("/api/aups", "{\"keyStage\":\"ks2\",\"markdown\":\"# Rules\\n\\nBe kind.\"}"));
            note("POST /api/aups ks2 cy", dsl.post("/api/aups",
                    "{\"keyStage\":\"ks2\",\"language\":\"cy\",\"markdown\":\"# Rheolau\\n\\nByddwch yn garedig.\"}"));
            clock.advance(Duration.ofMinutes(1));
            note("POST /api/aups staff", dsl.post("/api/aups", "{\"keyStage\":\"staff\",\"markdown\":\"# Staff AUP\\n\\nLock the screen.\"}"));
            note("GET /api/aups", dsl.get("/api/aups"));
            note("GET /api/session (AUP to accept)", dsl.get("/api/session"));
            note("GET /api/aups/staff", dsl.get("/api/aups/staff"));
            clock.advance(Duration.ofMinutes(1));
            note("POST /api/aups/staff/accept", dsl.post("/api/aups/staff/accept", "{\"version\":\"1\"}"));
            note("POST /api/aups/staff/accept slt", slt.post("/api/aups/staff/accept", "{\"version\":1}"));
            note("POST /api/aups/staff/accept tech", tech.post("/api/aups/staff/accept", "{\"version\":1}"));
            note("GET /api/aups/staff (accepted)", dsl.get("/api/aups/staff"));
            note("GET /api/aups/staff/acceptance", dsl.get("/api/aups/staff/acceptance"));
            note("GET /api/staff", dsl.get("/api/staff"));
            note("POST /api/staff", dsl.post("/api/staff",
                    "{\"name\":\"supply\",\"role\":\"teacher\",\"rooms\":[\"test-school/year5\",\"a/b\"],\"password\":\"" + PASSWORD + "x\"}"));
            note("POST /api/staff/disable", dsl.post("/api/staff/disable", "{\"name\":\"supply\"}"));

            deliver(EventType.ISOLATION_REQUESTED, Json.object().put("machine", "pc-07").put("mac", "02:00:00:00:00:07")
                    .put("ip", "10.0.5.7"));
            await().atMost(Duration.ofSeconds(10)).until(() -> dsl.get("/api/isolations").body().contains("pc-07"));
            deliver(EventType.ISOLATION_REQUESTED, Json.object().put("machine", "pc-08").put("mac", "02:00:00:00:00:08")
                    .put("ip", "10.0.5.8"));
            await().atMost(Duration.ofSeconds(10)).until(() -> dsl.get("/api/isolations").body().contains("pc-08"));
            note("GET /api/rooms", dsl.get("/api/rooms"));
            note("GET /api/isolations", dsl.get("/api/isolations"));
            note("GET /api/room-names", dsl.get("/api/room-names"));
            note("GET /api/button-tests", dsl.get("/api/button-tests"));
            note("GET /api/hub-health (none)", dsl.get("/api/hub-health"));
            HubStatus status = new HubStatus(true, clock.instant().minus(Duration.ofSeconds(3)), "0.1.0", "ks2", "1", List.of(), null, 0,
                    Optional.of(new HubHealth(false, 1_000_000, 3, 60, Optional.of(51.0))));
            coordinator.ingest().onMessage(Topics.status(YEAR5), status.encode(), true);
            await().atMost(Duration.ofSeconds(10)).until(() -> dsl.get("/api/hub-health").body().contains("skewMillis"));
            note("GET /api/hub-health", dsl.get("/api/hub-health"));
            note("GET /api/rooms (status)", dsl.get("/api/rooms"));
            String first = Json.parse(dsl.get("/api/isolations").body().getBytes(StandardCharsets.UTF_8)).get("isolations").get(0)
                    .get("id").asText();
            clock.advance(Duration.ofMinutes(1));
            note("POST /api/isolations/{id}/signoff", dsl.post("/api/isolations/" + first + "/signoff", ""));
            note("POST /api/rooms/{site}/{room}/release", slt.post("/api/rooms/test-school/year5/release",
                    "{\"reason\":\"cable back\",\"reconnectedBy\":\"tech\"}"));
            note("POST /api/rooms/{site}/{room}/release (second)", dsl.post("/api/rooms/test-school/year5/release",
                    "{\"reason\":\"cable back\",\"reconnectedBy\":\"tech\"}"));

            var data = Json.object().put("check", "schedule").put("by", "schedule");
            data.putArray("results").add(new FilterResult("adult", "site0.test", "blocked", "reachable",
                    Json.object().put("status", 200)).toJson());
            deliver(EventType.FILTER_CHECKED, data);
            await().atMost(Duration.ofSeconds(10)).until(() -> tech.get("/api/filter-checks").body().contains("site0.test"));
            note("GET /api/filter-checks", tech.get("/api/filter-checks"));
            String check = Json.parse(tech.get("/api/filter-checks").body().getBytes(StandardCharsets.UTF_8)).get(0).get("id").asText();
            clock.advance(Duration.ofMinutes(1));
            note("POST /api/filter-checks/{id}/action", tech.post("/api/filter-checks/" + check + "/action",
                    "{\"action\":\"blocked adult category at the proxy\"}"));
            note("GET /api/filter-checks (acted on)", tech.get("/api/filter-checks"));

            note("POST /api/unblock-requests", teacher.post("/api/unblock-requests", "{\"sites\":[\"video.example.org\"],"
                    + "\"reason\":\"Year 9 history project\",\"group\":\"9H\",\"from\":\"2026-11-25T10:00:00Z\","
                    + "\"until\":\"2026-11-27T10:00:00Z\"}"));
            note("GET /api/unblock-requests (pending)", tech.get("/api/unblock-requests"));
            note("POST /api/unblock-requests/{id}/decision", tech.post("/api/unblock-requests/1/decision",
                    "{\"decision\":\"approve\",\"reason\":\"fine for two days\"}"));
            note("GET /api/unblock-requests", teacher.get("/api/unblock-requests"));

            String incidents = note("GET /api/incident-search", dsl.get("/api/incident-search?status=all"));
            String incident = Json.parse(incidents.getBytes(StandardCharsets.UTF_8)).get("incidents").get(0).get("id").asText();
            note("POST /api/incidents/{id}/came-forward", dsl.post("/api/incidents/" + incident + "/came-forward", ""));
            note("GET /api/reports", gov.get("/api/reports"));
            note("GET /api/audit", dsl.get("/api/audit"));
            note("GET /api/snapshot", dsl.get("/api/snapshot"));
        }
        String actual = transcript.toString();
        Path out = Path.of("target", "response-bodies.actual.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, actual);
        String expected;
        try (InputStream in = ResponseBodiesTest.class.getResourceAsStream("response-bodies.txt")) {
            expected = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(expected, actual, "the answers changed on the wire; the transcript is in " + out.toAbsolutePath());
    }
}
