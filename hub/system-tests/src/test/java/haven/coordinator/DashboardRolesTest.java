package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
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
 * Who sees what, who may do what, and what happens when nobody acknowledges a worry in time; on SQLite
 * and on a real PostgreSQL (see TestDatabases).
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class DashboardRolesTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId YEAR5 = new RoomId("test-school", "year5");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private EmbeddedBroker broker;
    private TestDatabases databases;
    private TestDatabases.TestDatabase store;
    private Coordinator coordinator;
    private final EventCodec codec = new EventCodec();
    private long seq;

    @BeforeEach
    void start() throws Exception {
        databases = new TestDatabases(dialect, dir);
        store = databases.create("coordinator");
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "roles-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        store.configure(c);
        c.putObject("escalation").put("ackWithinMinutes", 10).put("endOfDay", "15:30").put("timeZone", "UTC");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        StaffAccounts staff = coordinator.staff();
        staff.put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        staff.put("head", Role.HEAD, PASSWORD.toCharArray());
        staff.put("slt", Role.SENIOR, PASSWORD.toCharArray());
        staff.put("teacher-a", Role.TEACHER, PASSWORD.toCharArray());
        staff.assignRooms("teacher-a", Set.of(YEAR5));
        staff.put("teacher-b", Role.TEACHER, PASSWORD.toCharArray());
        staff.assignRooms("teacher-b", Set.of(new RoomId("test-school", "year6")));
        staff.put("tech", Role.TECHNICIAN, PASSWORD.toCharArray());
        staff.put("gov", Role.GOVERNOR, PASSWORD.toCharArray());
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

    private String worry(String category) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        if (category != null) {
            data.put("category", category);
        }
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, EventType.WORRY_REPORTED, YEAR5, clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
        return e.id();
    }

    private StaffClient as(String name) throws Exception {
        StaffClient client = new StaffClient(coordinator.httpPort());
        assertEquals(200, client.login(name, PASSWORD));
        return client;
    }

    private JsonNode incidents(StaffClient who) throws Exception {
        return Json.parse(who.get("/api/incidents?status=open").body().getBytes()).get("incidents");
    }

    @Test
    void eachRoleSeesWhatThePolicyAllowsAndNoMore() throws Exception {
        worry("unkind-online");
        worry("about-an-adult");
        try (StaffClient dsl = as("dsl"); StaffClient head = as("head"); StaffClient slt = as("slt");
             StaffClient teacherA = as("teacher-a"); StaffClient teacherB = as("teacher-b");
             StaffClient tech = as("tech"); StaffClient gov = as("gov")) {
            assertEquals(1, incidents(dsl).size(), "about-an-adult is hidden even from the DSL");
            assertEquals(2, incidents(head).size(), "only the headteacher sees a concern about an adult");
            assertEquals(1, incidents(slt).size());
            assertEquals(1, incidents(teacherA).size(), "a teacher sees worries from their own rooms");
            assertEquals(0, incidents(teacherB).size(), "and not from other rooms");
            JsonNode redacted = incidents(tech).get(0);
            assertTrue(redacted.get("redacted").asBoolean());
            assertFalse(redacted.has("category"), "technicians do not see what a worry is about");
            assertEquals(403, gov.get("/api/incidents?status=open").statusCode());
            JsonNode report = Json.parse(gov.get("/api/reports").body().getBytes());
            assertEquals(1, report.get("months").size(), "a concern about an adult is counted only in the head's report");
            assertFalse(gov.get("/api/reports").body().contains("teacher"), "the governors' report holds counts, not people");
            var csv = gov.get("/api/reports.csv");
            assertEquals(200, csv.statusCode());
            assertTrue(csv.body().startsWith("month,room,category,outcome,count"), csv.body());
            assertEquals(403, teacherA.get("/api/reports.csv").statusCode());
            assertEquals(403, slt.get("/api/audit").statusCode());
            assertTrue(dsl.get("/api/audit").body().contains("list-incidents"), "the coordinator reads the audit trail");

            long id = incidents(teacherA).get(0).get("id").asLong();
            assertEquals(404, teacherB.post("/api/incidents/" + id + "/ack", "{}").statusCode());
            assertEquals(403, tech.post("/api/incidents/" + id + "/ack", "{}").statusCode());
            assertEquals(200, teacherA.post("/api/incidents/" + id + "/ack", "{}").statusCode());
            assertEquals(403, teacherA.post("/api/incidents/" + id + "/close", "{\"outcome\":\"resolved-in-class\"}").statusCode());
        }
    }

    @Test
    void closingRecordsTheOutcomeTheUrlAndTheNatureAndTheChronologyShowsEveryStep() throws Exception {
        worry("saw-something-upsetting");
        try (StaffClient slt = as("slt")) {
            long id = incidents(slt).get(0).get("id").asLong();
            slt.post("/api/incidents/" + id + "/ack", "{}");
            assertEquals(400, slt.post("/api/incidents/" + id + "/close",
                    "{\"outcome\":\"resolved-in-class\",\"url\":\"javascript:alert(1)\"}").statusCode());
            assertEquals(400, slt.post("/api/incidents/" + id + "/close", "{\"outcome\":\"shrugged\"}").statusCode());
            var closed = slt.post("/api/incidents/" + id + "/close", Json.write(Json.object()
                    .put("outcome", "referred-to-dsl").put("url", "https://example.invalid/page")
                    .put("nature", "violent video game clip").put("notes", "spoke to the class")));
            assertEquals(200, closed.statusCode(), closed.body());
            JsonNode detail = Json.parse(slt.get("/api/incidents/" + id).body().getBytes());
            assertEquals("closed", detail.get("status").asText());
            assertEquals("https://example.invalid/page", detail.get("url").asText());
            assertEquals("violent video game clip", detail.get("nature").asText());
            String steps = detail.get("chronology").toString();
            assertTrue(steps.contains("worry.reported") && steps.contains("acknowledge") && steps.contains("close"), steps);
        }
        try (Connection c = store.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM audit WHERE action = 'view-incident'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "opening an incident is audited");
        }
    }

    @Test
    void aWorryNobodyAcknowledgesIsEscalatedLiveAndFlaggedAtTheEndOfTheDay() throws Exception {
        worry(null);
        try (StaffClient dsl = as("dsl")) {
            dsl.openLive();
            await().atMost(Duration.ofSeconds(5)).until(() -> !dsl.received.isEmpty());
            clock.advance(Duration.ofMinutes(9));
            assertEquals(0, coordinator.escalation().runOnce(), "not yet: inside ackWithin");
            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, coordinator.escalation().runOnce());
            await().atMost(Duration.ofSeconds(5)).until(() -> dsl.received.stream().anyMatch(m ->
                    m.path("incident").path("status").asText().equals("escalated")));
            assertEquals(1, coordinator.escalation().escalations());
            assertEquals(0, coordinator.escalation().runOnce(), "escalated once only");

            clock.advance(Duration.ofHours(5).plusMinutes(30)); // 15:41 UTC
            assertEquals(1, coordinator.escalation().runOnce());
            JsonNode inc = incidents(dsl).get(0);
            assertEquals("2026-11-25", inc.get("openAtEndOfDay").asText());
            assertEquals(200, dsl.post("/api/incidents/" + inc.get("id").asLong() + "/ack", "{}").statusCode(),
                    "an escalated worry can still be acknowledged");
        }
    }

    @Test
    void thePagesCarryAStrictContentSecurityPolicyAndNoInlineScript() throws Exception {
        try (StaffClient anyone = new StaffClient(coordinator.httpPort())) {
            var page = anyone.get("/");
            String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"), csp);
            assertFalse(page.body().matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "no inline script on the dashboard");
        }
    }

    @Test
    void theFirstRunLinkCreatesTheFirstCoordinatorOnce() throws Exception {
        coordinator.close();
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("clientId", "setup-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        databases.create("fresh").configure(c);
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        String token = coordinator.setupToken().orElseThrow();
        try (StaffClient first = new StaffClient(coordinator.httpPort())) {
            assertEquals(403, first.post("/api/setup", "{\"token\":\"guess\",\"name\":\"dsl\",\"password\":\"" + PASSWORD + "\"}").statusCode());
            assertEquals(201, first.post("/api/setup", "{\"token\":\"" + token + "\",\"name\":\"dsl\",\"password\":\"" + PASSWORD + "\"}").statusCode());
            assertEquals(403, first.post("/api/setup", "{\"token\":\"" + token + "\",\"name\":\"evil\",\"password\":\"" + PASSWORD + "\"}").statusCode(),
                    "the link works once");
            assertEquals(200, first.login("dsl", PASSWORD));
        }
    }
}
