package haven.coordinator.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.evidence.EvidenceCheck;
import haven.coordinator.evidence.StaffDecisions;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import haven.testkit.TestDatabases;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
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
 * Staff management from the dashboard (docs/DASHBOARD.md, docs/SECURITY.md), on SQLite and PostgreSQL: the DSL
 * adds, re-roles, re-rooms and disables accounts; adding a taken name is refused (409) and changes nothing; nobody
 * disables themselves and the last coordinator stays; each change is a chained record, the chain stays intact, and
 * the changed account's session ends at once.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class StaffRoutesTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = "correct-horse-battery";
    private static final String NEW_PASSWORD = "maple-kettle-orbit-74";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private EmbeddedBroker broker;
    private TestDatabases databases;
    private TestDatabases.TestDatabase store;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        databases = new TestDatabases(dialect, dir);
        store = databases.create("coordinator");
        broker = EmbeddedBroker.start(Ports.free(), null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("clientId", "staff-routes-test");
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

    private StaffClient as(String name, String password) throws Exception {
        StaffClient client = new StaffClient(coordinator.httpPort());
        assertEquals(200, client.login(name, password), name + " logs in");
        return client;
    }

    private static String add(String name, String role, String password, String... rooms) {
        ObjectNode body = Json.object().put("name", name).put("role", role).put("password", password);
        var list = body.putArray("rooms");
        for (String r : rooms) {
            list.add(r);
        }
        return Json.write(body);
    }

    private static JsonNode account(StaffClient dsl, String name) throws Exception {
        for (JsonNode a : Json.parse(dsl.get("/api/staff").body().getBytes()).get("accounts")) {
            if (a.get("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("no account " + name + " in the list");
    }

    private List<String> chainedAccountRecords() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = store.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT type, payload FROM events WHERE type LIKE 'coordinator.account-%' ORDER BY pos")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return out;
    }

    @Test
    void theCoordinatorAddsChangesAndDisablesAnAccountAndEachChangeIsChained() throws Exception {
        try (StaffClient dsl = as("dsl", PASSWORD)) {
            HttpResponse<String> weak = dsl.post("/api/staff", add("ms-khan", "teacher", "password1"));
            assertEquals(400, weak.statusCode(), "the password policy applies: " + weak.body());
            HttpResponse<String> added = dsl.post("/api/staff", add("ms-khan", "teacher", NEW_PASSWORD, "test-school/year5"));
            assertEquals(201, added.statusCode(), added.body());
            JsonNode khan = account(dsl, "ms-khan");
            assertEquals("teacher", khan.get("role").asText());
            assertEquals("test-school/year5", khan.get("rooms").get(0).asText());
            assertFalse(khan.get("disabled").asBoolean());
            assertFalse(khan.get("secondFactor").asBoolean());
            assertTrue(khan.get("lastSignIn").isNull());
            assertFalse(dsl.get("/api/staff").body().contains("$2a$"), "no password hash leaves the coordinator");

            // Adding a taken name changes nothing: not the role, not the password.
            HttpResponse<String> again = dsl.post("/api/staff", add("ms-khan", "coordinator", "another-long-passphrase"));
            assertEquals(409, again.statusCode());
            assertTrue(again.body().contains("already a staff account called 'ms-khan'"), again.body());
            assertEquals("teacher", account(dsl, "ms-khan").get("role").asText());
            assertEquals(Role.TEACHER, coordinator.staff().verify("ms-khan", NEW_PASSWORD.toCharArray()).orElseThrow());

            try (StaffClient khanSession = as("ms-khan", NEW_PASSWORD)) {
                assertFalse(account(dsl, "ms-khan").get("lastSignIn").isNull(), "the sign-in shows on the staff page");
                assertEquals(403, khanSession.get("/api/staff").statusCode(), "only the coordinator manages staff");
                assertEquals(403, khanSession.post("/api/staff", add("mr-b", "coordinator", NEW_PASSWORD)).statusCode());
                khanSession.openLive();
                await().atMost(Duration.ofSeconds(10)).until(() -> !khanSession.received.isEmpty());
                HttpResponse<String> rooms = dsl.post("/api/staff/rooms", "{\"name\":\"ms-khan\",\"rooms\":[\"test-school/year5\",\"test-school/year6\"]}");
                assertEquals(200, rooms.statusCode(), rooms.body());
                assertEquals(401, khanSession.get("/api/rooms").statusCode(), "a rooms change ends the session at once");
                await().atMost(Duration.ofSeconds(10)).until(() -> !khanSession.liveIsOpen());
            }
            try (StaffClient khanSession = as("ms-khan", NEW_PASSWORD)) {
                assertEquals(200, dsl.post("/api/staff/role", "{\"name\":\"ms-khan\",\"role\":\"senior\"}").statusCode());
                assertEquals(401, khanSession.get("/api/rooms").statusCode(), "a role change takes effect at once");
            }
            try (StaffClient khanSession = as("ms-khan", NEW_PASSWORD)) {
                assertEquals("senior", Json.parse(khanSession.get("/api/session").body().getBytes()).get("role").asText());
                khanSession.openLive();
                await().atMost(Duration.ofSeconds(10)).until(() -> !khanSession.received.isEmpty());
                assertEquals(200, dsl.post("/api/staff/disable", "{\"name\":\"ms-khan\"}").statusCode());
                assertEquals(401, khanSession.get("/api/rooms").statusCode(), "a disabled account's session ends at once");
                await().atMost(Duration.ofSeconds(10)).until(() -> !khanSession.liveIsOpen());
            }
            assertTrue(account(dsl, "ms-khan").get("disabled").asBoolean());
            assertEquals(401, new StaffClient(coordinator.httpPort()).login("ms-khan", NEW_PASSWORD));
            assertEquals(409, dsl.post("/api/staff", add("ms-khan", "teacher", NEW_PASSWORD)).statusCode(),
                    "a disabled account's name is still taken: adding does not bring it back");
            assertEquals(400, dsl.post("/api/staff/role", "{\"name\":\"nobody\",\"role\":\"senior\"}").statusCode());
            assertEquals(400, dsl.post("/api/staff/role", "{\"name\":\"dsl\",\"role\":\"wizard\"}").statusCode());
        }
        List<String> records = chainedAccountRecords();
        List<String> khan = records.stream().filter(r -> r.contains("\"ms-khan\"")).toList();
        assertEquals(4, khan.size(), khan.toString());
        assertTrue(khan.get(0).startsWith(StaffDecisions.ACCOUNT_CREATED) && khan.get(0).contains("\"by\":\"dsl\"")
                && khan.get(0).contains("test-school/year5") && !khan.get(0).contains(NEW_PASSWORD), khan.get(0));
        assertTrue(khan.get(1).startsWith(StaffDecisions.ACCOUNT_CHANGED) && khan.get(1).contains("test-school/year6"), khan.get(1));
        assertTrue(khan.get(2).startsWith(StaffDecisions.ACCOUNT_CHANGED) && khan.get(2).contains("\"role\":\"senior\""), khan.get(2));
        assertTrue(khan.get(3).startsWith(StaffDecisions.ACCOUNT_DISABLED) && khan.get(3).contains("\"by\":\"dsl\""), khan.get(3));
        try (Connection c = store.connect()) {
            var check = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(check.intact(), check.toString());
        }
    }

    @Test
    void aCoordinatorCannotDisableThemselvesNorRemoveTheLastCoordinator() throws Exception {
        try (StaffClient dsl = as("dsl", PASSWORD)) {
            HttpResponse<String> self = dsl.post("/api/staff/disable", "{\"name\":\"dsl\"}");
            assertEquals(409, self.statusCode());
            assertTrue(self.body().contains("cannot disable your own account"), self.body());
            HttpResponse<String> demote = dsl.post("/api/staff/role", "{\"name\":\"dsl\",\"role\":\"senior\"}");
            assertEquals(409, demote.statusCode());
            assertTrue(demote.body().contains("last enabled coordinator"), demote.body());
            assertEquals("coordinator", account(dsl, "dsl").get("role").asText());
            assertEquals(200, dsl.get("/api/staff").statusCode(), "the refused changes left the session alone");

            assertEquals(201, dsl.post("/api/staff", add("deputy-dsl", "coordinator", NEW_PASSWORD)).statusCode());
            try (StaffClient deputy = as("deputy-dsl", NEW_PASSWORD)) {
                assertEquals(200, deputy.post("/api/staff/disable", "{\"name\":\"dsl\"}").statusCode(), "with two, one may go");
                HttpResponse<String> last = deputy.post("/api/staff/role", "{\"name\":\"deputy-dsl\",\"role\":\"head\"}");
                assertEquals(409, last.statusCode(), "the last one stays a coordinator: " + last.body());
            }
        }
        assertTrue(coordinator.staff().hasCoordinator());
        // The shell is held to the last-coordinator rule too.
        assertThrowsRefused(() -> coordinator.staff().disable("deputy-dsl"));
        assertTrue(coordinator.staff().activeRole("deputy-dsl").isPresent());
        try (Connection c = store.connect()) {
            assertTrue(EvidenceCheck.run(haven.store.SqlTypes.borrow(c)).intact());
        }
    }

    /** The checks run inside the change's transaction, under the event-log lock: two at once cannot both pass. */
    @Test
    void twoCoordinatorsDisablingEachOtherAtTheSameMomentLeaveOneCoordinator() throws Exception {
        String left = "dsl";
        for (int round = 0; round < 5; round++) {
            String a = "dsl-a" + round;
            String b = "dsl-b" + round;
            coordinator.staff().put(a, Role.COORDINATOR, PASSWORD.toCharArray());
            coordinator.staff().put(b, Role.COORDINATOR, PASSWORD.toCharArray());
            coordinator.staff().disable("test", left); // only a and b are coordinators now
            try (StaffClient first = as(a, PASSWORD); StaffClient second = as(b, PASSWORD);
                 var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                var one = pool.submit(() -> first.post("/api/staff/disable", "{\"name\":\"" + b + "\"}").statusCode());
                var other = pool.submit(() -> second.post("/api/staff/disable", "{\"name\":\"" + a + "\"}").statusCode());
                List<Integer> statuses = List.of(one.get(), other.get());
                assertEquals(1, statuses.stream().filter(s -> s == 200).count(), "exactly one disable wins: " + statuses);
            }
            assertTrue(coordinator.staff().hasCoordinator(), "a coordinator is left");
            left = coordinator.staff().activeRole(a).isPresent() ? a : b;
        }
        try (Connection c = store.connect()) {
            assertTrue(EvidenceCheck.run(haven.store.SqlTypes.borrow(c)).intact());
        }
    }

    private static void assertThrowsRefused(org.junit.jupiter.api.function.Executable change) {
        org.junit.jupiter.api.Assertions.assertThrows(haven.coordinator.StaffAccounts.Refused.class, change);
    }
}
