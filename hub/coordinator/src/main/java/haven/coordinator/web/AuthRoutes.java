package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Permissions;
import haven.coordinator.Role;
import haven.coordinator.Sessions;
import haven.coordinator.StaffAccounts;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signing in and out: login (rate-limited per name and client), logout (ends the live feed too), "who am I"
 * with the session's permissions (the dashboard draws its controls from them), and the one-time first-run
 * setup link that creates the first coordinator account.
 */
final class AuthRoutes {
    private static final int MAX_FAILURES = 5;
    private static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

    private final Sessions sessions;
    private final StaffAccounts staff;
    private final AuditLog audit;
    private final AccessFilter access;
    private final LiveFeed feed;
    private final Clock clock;
    private final boolean secureCookies;
    private final AtomicReference<String> setupToken;
    private final Map<String, List<Instant>> failures = new ConcurrentHashMap<>();

    /** A login as the browser sends it. */
    record LoginRequest(String name, char[] password) {
        static LoginRequest from(JsonNode body) {
            return new LoginRequest(body.path("name").asText(""), body.path("password").asText("").toCharArray());
        }
    }

    /** The first-run form: the link's token and the first coordinator's name and password. */
    record SetupRequest(String token, String name, char[] password) {
        static SetupRequest from(JsonNode body) {
            return new SetupRequest(body.path("token").asText(""), body.path("name").asText(""),
                    body.path("password").asText("").toCharArray());
        }
    }

    AuthRoutes(Sessions sessions, StaffAccounts staff, AuditLog audit, AccessFilter access, LiveFeed feed, Clock clock,
               boolean secureCookies, AtomicReference<String> setupToken) {
        this.sessions = sessions;
        this.staff = staff;
        this.audit = audit;
        this.access = access;
        this.feed = feed;
        this.clock = clock;
        this.secureCookies = secureCookies;
        this.setupToken = setupToken;
    }

    void mount(JavalinConfig config) {
        config.routes.post("/api/login", this::login, RouteAccess.PUBLIC);
        config.routes.post("/api/logout", ctx -> {
            String token = ctx.cookie(DashboardServer.COOKIE);
            sessions.end(token);
            feed.sessionEnded(token);
            ctx.removeCookie(DashboardServer.COOKIE, "/");
            ctx.status(204);
        }, RouteAccess.SIGNED_IN);
        // Answers 200 either way: "am I logged in?" is a normal question, not an error in the browser console.
        config.routes.get("/api/session", ctx -> {
            Optional<StaffSession> who = access.current(ctx.cookie(DashboardServer.COOKIE));
            Web.json(ctx, who.map(AuthRoutes::sessionJson).orElseGet(() -> Json.object().putNull("name")));
        }, RouteAccess.PUBLIC);
        config.routes.post("/api/setup", this::setup, RouteAccess.PUBLIC);
    }

    private void login(Context ctx) throws SQLException {
        LoginRequest request = LoginRequest.from(Json.parse(ctx.bodyAsBytes()));
        String key = request.name() + "|" + ctx.ip();
        Instant now = clock.instant();
        List<Instant> recent = failures.getOrDefault(key, List.of()).stream()
                .filter(t -> t.isAfter(now.minus(FAILURE_WINDOW))).toList();
        if (recent.size() >= MAX_FAILURES) {
            ctx.status(429).result("too many failed logins; wait five minutes");
            return;
        }
        Optional<Role> role = staff.verify(request.name(), request.password());
        if (role.isEmpty()) {
            List<Instant> more = new ArrayList<>(recent);
            more.add(now);
            failures.put(key, more);
            audit.record(request.name().isEmpty() ? "-" : request.name(), "login-failed", ctx.ip());
            ctx.status(401).result("wrong name or password");
            return;
        }
        failures.remove(key);
        Optional<StaffAccounts.Standing> standing = staff.standing(request.name());
        if (standing.isEmpty()) {
            ctx.status(401).result("wrong name or password");
            return;
        }
        StaffSession session = sessions.create(request.name(), standing.get());
        audit.record(request.name(), "login", ctx.ip());
        Cookie cookie = new Cookie(DashboardServer.COOKIE, session.token());
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setSecure(secureCookies);
        ctx.cookie(cookie);
        Web.json(ctx, sessionJson(session));
    }

    /**
     * First run: the one-time link printed at start creates the first coordinator account. Serialised, so
     * the link used several times at once still makes one account: the check, the account and spending the
     * token happen together (a bad name or password leaves the link usable).
     */
    private synchronized void setup(Context ctx) throws SQLException {
        SetupRequest request = SetupRequest.from(Json.parse(ctx.bodyAsBytes()));
        String token = setupToken.get();
        if (token == null || staff.hasCoordinator() || !token.equals(request.token())) {
            ctx.status(403).result("this setup link is no longer valid");
            return;
        }
        staff.put(request.name(), Role.COORDINATOR, request.password());
        setupToken.set(null);
        audit.record(request.name(), "first-run-setup", "coordinator account created");
        ctx.status(201).result("coordinator account created; log in");
    }

    static ObjectNode sessionJson(StaffSession s) {
        ObjectNode json = Json.object();
        json.put("name", s.name());
        json.put("role", s.role().wire());
        json.put("csrf", s.csrf());
        var permissions = json.putArray("permissions");
        Permissions.of(s.role()).stream().sorted().forEach(p -> permissions.add(p.wire()));
        return json;
    }
}
