package haven.coordinator.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Permission;
import haven.coordinator.Permissions;
import haven.coordinator.Role;
import haven.coordinator.StaffAccounts;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The permission table end to end: every mounted route x every role (REST and the live WebSocket), the
 * visibility fixes (governors, teachers' rooms, head-only report cells, the one-time setup link), and
 * sessions that end when the account changes. On SQLite and PostgreSQL (TestDatabases).
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class AccessTableTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId YEAR5 = new RoomId("test-school", "year5");
    private static final RoomId YEAR6 = new RoomId("test-school", "year6");
    private static final Map<Role, String> LOGIN = Map.of(Role.COORDINATOR, "dsl", Role.HEAD, "head", Role.SENIOR, "slt",
            Role.TEACHER, "teacher-a", Role.TECHNICIAN, "tech", Role.GOVERNOR, "gov", Role.CHAIR, "chair");
    /** The only routes open without a login. */
    private static final Set<String> PUBLIC = Set.of("GET /health", "GET /metrics", "POST /api/login", "GET /api/session",
            "POST /api/setup", "POST /api/login/totp", "GET /api/login/policy", "POST /api/login/resume");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private EmbeddedBroker broker;
    private TestDatabases databases;
    private Coordinator coordinator;
    private TestDatabases.TestDatabase store;
    private long seq;

    @BeforeEach
    void start() throws Exception {
        databases = new TestDatabases(dialect, dir);
        broker = EmbeddedBroker.start(Ports.free(), null);
        coordinator = startCoordinator("coordinator");
        StaffAccounts staff = coordinator.staff();
        for (Map.Entry<Role, String> e : LOGIN.entrySet()) {
            staff.put(e.getValue(), e.getKey(), PASSWORD.toCharArray());
        }
        staff.assignRooms("teacher-a", Set.of(YEAR5));
    }

    private Coordinator startCoordinator(String dbName) throws Exception {
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("clientId", "access-" + dbName);
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        store = databases.create(dbName);
        store.configure(c);
        return Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
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

    private StaffClient as(String name) throws Exception {
        StaffClient client = new StaffClient(coordinator.httpPort());
        assertEquals(200, client.login(name, PASSWORD));
        return client;
    }

    private void event(EventType type, RoomId room, ObjectNode data) {
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, type, room, clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
    }

    private void worry(RoomId room, String category) {
        ObjectNode data = Json.object().put("presses", 1);
        if (category != null) {
            data.put("category", category);
        }
        event(EventType.WORRY_REPORTED, room, data);
    }

    private void isolation(RoomId room, String machine) {
        event(EventType.ISOLATION_REQUESTED, room, Json.object().put("machine", machine).put("mac", "02:00:00:00:00:0" + machine.length())
                .put("ip", "10.0.5." + machine.length()));
    }

    private static String concrete(String path) {
        return path.replace("{id}", "999999").replace("{code}", "apple-banana").replace("{site}", YEAR5.site())
                .replace("{room}", YEAR5.room()).replace("{action}", "1").replace("{sha256}", "0".repeat(64));
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void everyRouteAnswersEachRoleAsThePermissionTableSays(Role role) throws Exception {
        List<DashboardServer.DeclaredRoute> routes = coordinator.dashboardRoutes();
        assertTrue(routes.size() > 20, "the walk sees the mounted routes: " + routes);
        List<String> wrong = new ArrayList<>();
        try (StaffClient who = as(LOGIN.get(role)); StaffClient nobody = new StaffClient(coordinator.httpPort())) {
            for (DashboardServer.DeclaredRoute route : routes) {
                String key = route.method() + " " + route.path();
                assertTrue(route.access().isPresent() || !route.path().startsWith("/api/"), key + " declares no permission");
                RouteAccess access = route.access().orElse(RouteAccess.PUBLIC);
                assertEquals(PUBLIC.contains(key) || route.path().startsWith("/demo/"), !access.signedIn(),
                        key + " is public exactly when it is in the public list");
                if (route.method().equals("WS") || !access.signedIn() || key.equals("POST /api/logout")) {
                    continue;
                }
                String path = concrete(route.path());
                var anonymous = route.method().equals("GET") ? nobody.get(path) : nobody.post(path, "{}");
                if (anonymous.statusCode() != 401) {
                    wrong.add(key + " without a login answered " + anonymous.statusCode());
                }
                var answer = route.method().equals("GET") ? who.get(path) : who.post(path, "{}");
                boolean allowed = access.permission().map(p -> Permissions.allows(role, p)).orElse(true);
                int status = answer.statusCode();
                if (allowed ? (status == 401 || status == 403) : status != 403) {
                    wrong.add(key + " as " + role.wire() + " (" + access.describe() + (allowed ? " held" : " not held")
                            + ") answered " + status + ": " + answer.body());
                }
            }
            assertEquals(List.of(), wrong);
            // The live feed is a route like the others.
            who.openLive();
            if (Permissions.allows(role, Permission.VIEW_LIVE)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> who.received.stream().anyMatch(m -> m.path("kind").asText().equals("snapshot")));
            } else {
                await().atMost(Duration.ofSeconds(10)).until(() -> !who.liveIsOpen());
                assertTrue(who.received.isEmpty(), "nothing reaches a role without view-live");
            }
        }
    }

    @Test
    void theSessionNamesItsPermissions() throws Exception {
        for (Role role : Role.values()) {
            try (StaffClient who = as(LOGIN.get(role))) {
                JsonNode session = Json.parse(who.get("/api/session").body().getBytes());
                Set<String> listed = new HashSet<>();
                session.get("permissions").forEach(p -> listed.add(p.asText()));
                Set<String> expected = new HashSet<>();
                Permissions.of(role).forEach(p -> expected.add(p.wire()));
                assertEquals(expected, listed, role.wire());
            }
        }
    }

    @Test
    void governorsReadNeitherTheSnapshotNorTheIsolations() throws Exception {
        isolation(YEAR5, "pc-07");
        try (StaffClient gov = as("gov")) {
            assertEquals(403, gov.get("/api/snapshot").statusCode());
            assertEquals(403, gov.get("/api/isolations").statusCode());
        }
    }

    @Test
    void aTeacherSeesOnlyTheirOwnRoomsIsolations() throws Exception {
        isolation(YEAR5, "pc-07");
        isolation(YEAR6, "pc-1234");
        try (StaffClient dsl = as("dsl"); StaffClient teacher = as("teacher-a")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> isolations(dsl, "/api/isolations").size() == 2);
            assertEquals(List.of("year5"), isolations(teacher, "/api/isolations"));
            assertEquals(List.of("year5"), isolations(teacher, "/api/snapshot"));
            teacher.openLive();
            await().atMost(Duration.ofSeconds(10)).until(() -> !teacher.received.isEmpty());
            isolation(YEAR6, "pc-99");
            isolation(YEAR5, "pc-08");
            await().atMost(Duration.ofSeconds(10)).until(() -> teacher.received.stream()
                    .anyMatch(m -> m.path("isolation").path("machine").asText().equals("pc-08")));
            assertFalse(teacher.received.stream().anyMatch(m -> m.path("isolation").path("room").asText().equals("year6")),
                    "the live feed does not push another room's isolation");
        }
    }

    private static List<String> isolations(StaffClient who, String path) throws Exception {
        JsonNode body = Json.parse(who.get(path).body().getBytes());
        return StreamSupport.stream(body.get("isolations").spliterator(), false).map(i -> i.get("room").asText()).toList();
    }

    @Test
    void reportCellsCountConcernsAboutAnAdultOnlyForTheHead() throws Exception {
        worry(YEAR5, "about-an-adult");
        worry(YEAR5, "unkind-online");
        try (StaffClient gov = as("gov"); StaffClient dsl = as("dsl"); StaffClient head = as("head")) {
            for (StaffClient nonHead : List.of(gov, dsl)) {
                String report = nonHead.get("/api/reports").body();
                assertTrue(report.contains("unkind-online"), report);
                assertFalse(report.contains("about-an-adult"), "no report cell reveals a head-only concern: " + report);
                assertFalse(nonHead.get("/api/reports.csv").body().contains("about-an-adult"));
            }
            assertTrue(head.get("/api/reports").body().contains("about-an-adult"));
            assertTrue(head.get("/api/reports.csv").body().contains("about-an-adult"));
        }
    }

    @Test
    void theSetupLinkUsedThreeTimesAtOnceMakesOneAccount() throws Exception {
        coordinator.close();
        coordinator = startCoordinator("fresh");
        String token = coordinator.setupToken().orElseThrow();
        List<Callable<Integer>> attempts = new ArrayList<>();
        for (String name : List.of("first", "second", "third")) {
            attempts.add(() -> {
                try (StaffClient c = new StaffClient(coordinator.httpPort())) {
                    return c.post("/api/setup", "{\"token\":\"" + token + "\",\"name\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}")
                            .statusCode();
                }
            });
        }
        List<Integer> statuses = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(3)) {
            for (var f : pool.invokeAll(attempts)) {
                statuses.add(f.get());
            }
        }
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        long accounts = 0;
        for (String name : List.of("first", "second", "third")) {
            accounts += coordinator.staff().activeRole(name).isPresent() ? 1 : 0;
        }
        assertEquals(1, accounts);
    }

    @Test
    void disablingAnAccountEndsItsSessionAndClosesItsLiveFeedAtOnce() throws Exception {
        try (StaffClient teacher = as("teacher-a")) {
            teacher.openLive();
            await().atMost(Duration.ofSeconds(10)).until(() -> !teacher.received.isEmpty());
            assertEquals(200, teacher.get("/api/incidents").statusCode());
            coordinator.staff().disable("teacher-a");
            assertEquals(401, teacher.get("/api/incidents").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> !teacher.liveIsOpen());
        }
    }

    @Test
    void changingRoleRoomsOrPasswordEndsTheSession() throws Exception {
        StaffAccounts staff = coordinator.staff();
        List<Runnable> changes = List.of(
                () -> call(() -> { staff.put("teacher-a", Role.SENIOR, PASSWORD.toCharArray()); return null; }),
                () -> call(() -> { staff.assignRooms("teacher-a", Set.of(YEAR5, YEAR6)); return null; }),
                () -> call(() -> staff.password("teacher-a", PASSWORD.toCharArray())));
        for (Runnable change : changes) {
            try (StaffClient teacher = as("teacher-a")) {
                teacher.openLive();
                await().atMost(Duration.ofSeconds(10)).until(() -> !teacher.received.isEmpty());
                change.run();
                assertEquals(401, teacher.get("/api/rooms").statusCode());
                await().atMost(Duration.ofSeconds(10)).until(() -> !teacher.liveIsOpen());
            }
        }
    }

    /**
     * `haven user` runs in another process: it changes the table under the coordinator, which hears
     * nothing. The filter's per-request check and the feed's periodic check still end the session.
     */
    @Test
    void aChangeMadeByAnotherProcessEndsTheSessionToo() throws Exception {
        try (StaffClient teacher = as("teacher-a"); var other = store.connect()) {
            teacher.openLive();
            await().atMost(Duration.ofSeconds(10)).until(() -> !teacher.received.isEmpty());
            try (var ps = other.prepareStatement("UPDATE staff SET disabled = 1 WHERE name = 'teacher-a'")) {
                assertEquals(1, ps.executeUpdate());
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> !teacher.liveIsOpen());
            assertEquals(401, teacher.get("/api/rooms").statusCode());
        }
    }

    @Test
    void logoutAndExpiryCloseTheLiveFeed() throws Exception {
        try (StaffClient dsl = as("dsl"); StaffClient slt = as("slt")) {
            dsl.openLive();
            slt.openLive();
            await().atMost(Duration.ofSeconds(10)).until(() -> !dsl.received.isEmpty() && !slt.received.isEmpty());
            assertEquals(204, dsl.post("/api/logout", "").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> !dsl.liveIsOpen());
            assertTrue(slt.liveIsOpen(), "another member of staff stays connected");
            clock.advance(Duration.ofHours(11));
            await().atMost(Duration.ofSeconds(15)).until(() -> !slt.liveIsOpen());
        }
    }

    private static void call(Callable<?> c) {
        try {
            c.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSecurityDocListsTheSameTable() throws Exception {
        String whole = java.nio.file.Files.readString(haven.testkit.Repository.root().resolve("docs/SECURITY.md"));
        String doc = whole.substring(whole.indexOf("| role | permissions |"));
        for (Role role : Role.values()) {
            String row = doc.lines().filter(l -> l.startsWith("| " + role.wire() + " |")).findFirst()
                    .orElseThrow(() -> new AssertionError("docs/SECURITY.md has no permissions row for " + role.wire()));
            Set<String> listed = new HashSet<>();
            for (String cell : row.split("\\|")[2].split(",")) {
                if (!cell.isBlank()) {
                    listed.add(cell.strip().replace("`", ""));
                }
            }
            Set<String> expected = new HashSet<>();
            Permissions.of(role).forEach(p -> expected.add(p.wire()));
            assertEquals(expected, listed, "docs/SECURITY.md permissions of " + role.wire().toUpperCase(Locale.ROOT));
        }
    }
}
