package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.EvidenceCheck;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Json;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Temporary unblock requests (migration V55) and the governors' filtering section, on SQLite and PostgreSQL:
 * who sees what, one decision with a reason, the period's end flagged, every step chained, the filter webhook
 * signed and carrying no reason or name, and the report's counts.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class UnblockRequestsTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T09:00:00Z"));
    private final StaffSession teacher = as(Role.TEACHER, "teacher-1");
    private final StaffSession otherTeacher = as(Role.TEACHER, "teacher-2");
    private final StaffSession tech = as(Role.TECHNICIAN, "tech-1");
    private final StaffSession dsl = as(Role.COORDINATOR, "dsl-1");
    private TestDatabases databases;
    private Database db;
    private AuditLog audit;
    private UnblockRequests requests;

    private static StaffSession as(Role role, String name) {
        return new StaffSession("t-" + name, name, role, "c", Instant.MAX, Set.of());
    }

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        audit = new AuditLog(db, clock);
        requests = new UnblockRequests(db, audit, clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        db.close();
        databases.close();
    }

    private UnblockRequests.Asked asked(String until) {
        ObjectNode body = Json.object();
        body.putArray("sites").add("video.example.org").add("https://archive.example.net/ww2");
        body.put("reason", "Year 9 history project on wartime film");
        body.put("group", "9H history");
        body.put("from", "2026-12-01T08:00:00Z");
        body.put("until", until);
        return UnblockRequests.Asked.from(body);
    }

    private long count(String sql) throws Exception {
        return db.query(c -> {
            try (var ps = c.getConnection().prepareStatement(sql); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void aRequestIsSeenByItsTeacherAndTheStaffWhoAnswerForFilteringDecidedOnceAndFlaggedWhenItsPeriodIsOver() throws Exception {
        UnblockRequests.Request made = requests.request(asked("2026-12-05T16:00:00Z"), teacher);
        assertEquals("pending", made.status());
        assertEquals(List.of("video.example.org", "https://archive.example.net/ww2"), made.sites());
        assertEquals(1, requests.list(teacher).size());
        assertEquals(0, requests.list(otherTeacher).size(), "a teacher sees only the requests they made");
        assertEquals(1, requests.list(tech).size());
        assertEquals(1, requests.list(dsl).size(), "the online-safety lead is informed");
        assertFalse(Visibility.unblockRequest("teacher-1", as(Role.GOVERNOR, "gov")), "governors get counts, not requests");

        assertThrows(IllegalArgumentException.class, () -> requests.decide(made.id(), true, " ", tech), "a decision needs a reason");
        UnblockRequests.Decision approved = requests.decide(made.id(), true, "Checked the sites", tech);
        assertEquals(UnblockRequests.Outcome.DECIDED, approved.outcome());
        UnblockRequests.Request r = approved.request().orElseThrow();
        assertEquals("approved", r.status());
        assertEquals("tech-1", r.decidedBy().orElseThrow());
        assertEquals("Checked the sites", r.decisionReason().orElseThrow());
        assertEquals(UnblockRequests.Outcome.ALREADY_DECIDED, requests.decide(made.id(), false, "changed my mind", tech).outcome());
        assertEquals(UnblockRequests.Outcome.NO_SUCH_REQUEST, requests.decide(9999, true, "x", tech).outcome());

        ObjectNode during = r.toJson(clock.instant());
        assertFalse(during.path("pastUntil").asBoolean());
        assertFalse(during.path("expired").asBoolean());
        clock.advance(Duration.ofDays(6)); // past 5 December, 16:00
        ObjectNode after = requests.list(dsl).get(0).toJson(clock.instant());
        assertTrue(after.path("pastUntil").asBoolean());
        assertTrue(after.path("expired").asBoolean(), "approved and over: the sites should be filtered again");

        assertEquals(1, count("SELECT count(*) FROM events WHERE type = 'coordinator.unblock-requested'"));
        assertEquals(1, count("SELECT count(*) FROM events WHERE type = 'coordinator.unblock-decided'"));
        assertEquals(1, count("SELECT count(*) FROM audit WHERE action = 'unblock-request'"));
        assertEquals(1, count("SELECT count(*) FROM audit WHERE action = 'unblock-decision'"));
        assertTrue(db.query(EvidenceCheck::run).intact());
    }

    @Test
    void aPendingRequestWhosePeriodIsOverCannotBeApprovedAndBadRequestsAreRefused() throws Exception {
        UnblockRequests.Request made = requests.request(asked("2026-12-01T16:00:00Z"), teacher);
        clock.advance(Duration.ofDays(2));
        assertEquals(UnblockRequests.Outcome.PERIOD_OVER, requests.decide(made.id(), true, "late", tech).outcome());
        assertTrue(requests.list(tech).get(0).pastUntil(clock.instant()));
        assertFalse(requests.list(tech).get(0).expired(clock.instant()), "never approved, so nothing to put back");
        assertEquals(UnblockRequests.Outcome.DECIDED, requests.decide(made.id(), false, "the lesson has passed", tech).outcome());

        assertThrows(IllegalArgumentException.class, () -> asked("2027-06-01T00:00:00Z"), "over a term is not temporary");
        assertThrows(IllegalArgumentException.class, () -> asked("2026-11-01T00:00:00Z"), "until before from");
        ObjectNode noReason = Json.object();
        noReason.putArray("sites").add("video.example.org");
        noReason.put("group", "9H").put("from", "2026-12-01T08:00:00Z").put("until", "2026-12-02T08:00:00Z");
        assertThrows(IllegalArgumentException.class, () -> UnblockRequests.Asked.from(noReason), "a clear reason is required");
        ObjectNode badSite = noReason.deepCopy().put("reason", "r");
        badSite.putArray("sites").add("=cmd|' /C calc'!A0");
        assertThrows(IllegalArgumentException.class, () -> UnblockRequests.Asked.from(badSite));
    }

    @Test
    void anApprovalGoesToTheFiltersWebhookSignedWithoutTheReasonOrNames() throws Exception {
        List<String[]> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/unblock", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new String[] {new String(body, StandardCharsets.UTF_8), exchange.getRequestHeaders().getFirst("X-Haven-Signature")});
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        String secret = "a-shared-secret-of-the-school";
        try (UnblockWebhook webhook = new UnblockWebhook(new UnblockWebhook.Settings(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/unblock"), secret), audit, clock)) {
            LiveFeed feed = new LiveFeed();
            feed.onUnblockRequestChanged(webhook::changed);
            UnblockRequests.Request made = requests.request(asked("2026-12-05T16:00:00Z"), teacher);
            feed.unblockRequestChanged(made, clock.instant());
            feed.unblockRequestChanged(requests.decide(made.id(), true, "Checked the sites", tech).request().orElseThrow(), clock.instant());
            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM audit WHERE action = 'unblock-webhook'") == 1);
            assertEquals(1, received.size(), "only the approval goes to the filter");
            String body = received.get(0)[0];
            assertEquals(UnblockWebhook.signature(body.getBytes(StandardCharsets.UTF_8), secret), received.get(0)[1]);
            JsonNode json = Json.parse(body.getBytes(StandardCharsets.UTF_8));
            assertEquals("unblock", json.path("action").asText());
            assertEquals("video.example.org", json.path("sites").get(0).asText());
            assertEquals(Instant.parse("2026-12-05T16:00:00Z"), Instant.parse(json.path("until").asText()));
            assertFalse(body.contains("history project") || body.contains("teacher-1") || body.contains("tech-1"), body);
        } finally {
            server.stop(0);
        }
    }
}
