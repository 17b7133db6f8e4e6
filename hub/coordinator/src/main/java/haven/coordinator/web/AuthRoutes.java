package haven.coordinator.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signing in and out: login (rate-limited per name and client), logout (ends the live feed too), "who am I"
 * with the session's permissions (the dashboard draws its controls from them), and the one-time first-run
 * setup link that creates the first coordinator account.
 */
final class AuthRoutes {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuthRoutes.class);
    /** The half-done login between the password and the second factor; only ever sent to /api/login. */
    static final String PENDING_COOKIE = "haven_login_pending";
    private static final Duration PENDING_FOR = Duration.ofMinutes(5);
    private static final int CODE_TRIES = 5;

    private final Sessions sessions;
    private final StaffAccounts staff;
    private final AuditLog audit;
    private final AccessFilter access;
    private final LiveFeed feed;
    private final Clock clock;
    private final boolean secureCookies;
    private final AtomicReference<String> setupToken;
    private final LoginThrottle throttle;
    private final haven.coordinator.SecondFactor secondFactor;
    private final haven.coordinator.AuthConfig auth;
    private final java.security.SecureRandom random = new java.security.SecureRandom();
    /** Password checked, second factor not yet: bounded, and gone after five minutes or five wrong codes. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Pending> pending;

    /** A login waiting for its code; {@code enrolSecret} is set while the account has no second factor yet. */
    record Pending(String name, byte[] enrolSecret, Instant expires, java.util.concurrent.atomic.AtomicInteger tries) {
    }

    /** The second step: a code from the authenticator app, or one of the recovery codes. */
    record TotpRequest(String code, String recoveryCode) {
        static TotpRequest from(JsonNode body) {
            return new TotpRequest(body.hasNonNull("code") ? body.get("code").asText() : null,
                    body.hasNonNull("recoveryCode") ? body.get("recoveryCode").asText() : null);
        }
    }

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

    /**
     * Who is signed in, as the dashboard draws it; {@code staffAupToAccept} (a version as text, or null) says the
     * Staff AUP must be accepted first.
     */
    record SessionBody(String staffAupToAccept, String name, String role, String csrf, List<String> permissions) {
    }

    /** "Am I logged in?" when nobody is: {"name": null}. */
    record NobodyBody(String name) {
    }

    /**
     * The answer to a completed login: the session, and after a second factor how it was given; the new recovery
     * codes only when the second factor was enrolled just now. A password-only login has neither.
     */
    record GrantBody(@JsonUnwrapped SessionBody session,
                     @JsonInclude(JsonInclude.Include.NON_NULL) List<String> recoveryCodes,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String secondFactor) {
    }

    /** What the login page tells everyone: which roles need a second factor, whether that is relaxed, and OIDC. */
    record PolicyBody(List<String> requireTotpFor, boolean relaxed, boolean oidc) {
    }

    /** A half-done login: the code form, and {@code enrol} only while the account has no second factor yet. */
    record PendingBody(boolean totpRequired, boolean enrolled, @JsonInclude(JsonInclude.Include.NON_NULL) EnrolBody enrol) {
    }

    /** The new key for the phone's app, as text, as an otpauth link and as its QR code. */
    record EnrolBody(String secret, String otpauth, String qrSvg, int digits, int period) {
    }

    AuthRoutes(Sessions sessions, StaffAccounts staff, AuditLog audit, AccessFilter access, LiveFeed feed, Clock clock,
               boolean secureCookies, AtomicReference<String> setupToken, haven.coordinator.SecondFactor secondFactor,
               haven.coordinator.AuthConfig auth) {
        this.throttle = new LoginThrottle(clock);
        this.secondFactor = secondFactor;
        this.auth = auth;
        this.pending = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
                .expireAfterWrite(PENDING_FOR).build();
        if (auth.relaxed()) {
            log.warn("second factor relaxed: roles that see every incident may log in with a password alone requireTotpFor={} key=auth.requireTotpFor",
                    auth.requireTotpFor().stream().map(Role::wire).sorted().toList());
        }
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
        }, RouteAccess.SIGNED_IN_BEFORE_STAFF_AUP);
        // Answers 200 either way: "am I logged in?" is a normal question, not an error in the browser console.
        config.routes.get("/api/session", ctx -> {
            Optional<StaffSession> who = access.current(ctx.cookie(DashboardServer.COOKIE));
            Web.json(ctx, who.isPresent() ? sessionBody(who.get()) : new NobodyBody(null));
        }, RouteAccess.PUBLIC);
        config.routes.post("/api/setup", this::setup, RouteAccess.PUBLIC);
        config.routes.post("/api/login/totp", this::secondStep, RouteAccess.PUBLIC);
        // After the school's sign-in (OidcRoutes) the login page asks for the code form of its half-done login.
        config.routes.post("/api/login/resume", ctx -> {
            Pending p = pendingOf(ctx);
            if (p == null) {
                ctx.status(401).result("sign in again: five minutes have passed");
                return;
            }
            Web.json(ctx, pendingAnswer(p));
        }, RouteAccess.PUBLIC);
        // What the login page tells everyone: which roles need a second factor, and whether that is relaxed (a banner).
        config.routes.get("/api/login/policy", ctx -> {
            Web.json(ctx, new PolicyBody(auth.requireTotpFor().stream().map(Role::wire).sorted().toList(), auth.relaxed(),
                    auth.oidc().isPresent()));
        }, RouteAccess.PUBLIC);
    }

    private void login(Context ctx) throws SQLException {
        LoginRequest request = LoginRequest.from(Json.parse(ctx.bodyAsBytes()));
        String client = ctx.ip();
        Optional<Duration> wait = throttle.attempt(request.name(), client);
        if (wait.isPresent()) {
            ctx.header("Retry-After", Long.toString(Math.max(1, wait.get().toSeconds())));
            ctx.status(429).result("too many login attempts; wait " + Math.max(1, wait.get().toMinutes()) + " minutes");
            return;
        }
        Optional<Role> role = staff.verify(request.name(), request.password());
        if (role.isEmpty()) {
            audit.record(request.name().isEmpty() ? "-" : request.name(), "login-failed", client);
            ctx.status(401).result("wrong name or password");
            return;
        }
        throttle.succeeded(request.name(), client);
        Optional<StaffAccounts.Standing> standing = staff.standing(request.name());
        if (standing.isEmpty()) {
            ctx.status(401).result("wrong name or password");
            return;
        }
        if (auth.requireTotpFor().contains(standing.get().role())) {
            askForSecondFactor(ctx, request.name());
            return;
        }
        grant(ctx, request.name(), standing.get(), null, null);
    }

    private void askForSecondFactor(Context ctx, String name) throws SQLException {
        Web.json(ctx, pendingAnswer(startSecondFactor(ctx, name)));
    }

    /**
     * The password (or the school's sign-in, OidcRoutes) is checked: the second factor is still to come. Sets the
     * pending cookie (sent to /api/login only) and keeps the half-done login for five minutes.
     */
    Pending startSecondFactor(Context ctx, String name) throws SQLException {
        boolean enrolled = secondFactor.enrolled(name);
        byte[] secret = enrolled ? null : secondFactor.newSecret();
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Pending p = new Pending(name, secret, clock.instant().plus(PENDING_FOR), new java.util.concurrent.atomic.AtomicInteger());
        pending.put(token, p);
        Cookie cookie = new Cookie(PENDING_COOKIE, token);
        cookie.setPath("/api/login");
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setSecure(secureCookies);
        cookie.setMaxAge((int) PENDING_FOR.toSeconds());
        ctx.cookie(cookie);
        return p;
    }

    /** What the login page draws for a half-done login: the code form, and the enrolment key if there is none yet. */
    private static PendingBody pendingAnswer(Pending p) {
        boolean enrolled = p.enrolSecret() == null;
        if (enrolled) {
            return new PendingBody(true, true, null);
        }
        byte[] secret = p.enrolSecret();
        String otpauth = haven.coordinator.Totp.otpauthUri("Haven", p.name(), secret);
        // The QR code for the phone's app (staff enrol on a phone while signing in on a PC); the answer is
        // no-store like every /api/* one (NoStore), so the key does not stay in the PC's cache.
        return new PendingBody(true, false, new EnrolBody(haven.coordinator.Totp.base32(secret), otpauth,
                haven.coordinator.QrSvg.of(otpauth), haven.coordinator.Totp.DIGITS, haven.coordinator.Totp.STEP_SECONDS));
    }

    /** The pending login of this browser, if any and not expired. */
    private Pending pendingOf(Context ctx) {
        String token = ctx.cookie(PENDING_COOKIE);
        Pending p = token == null ? null : pending.getIfPresent(token);
        if (p != null && !clock.instant().isBefore(p.expires())) {
            pending.invalidate(token);
            p = null;
        }
        return p;
    }

    private void secondStep(Context ctx) throws SQLException {
        String token = ctx.cookie(PENDING_COOKIE);
        Pending p = pendingOf(ctx);
        if (p == null) {
            ctx.status(401).result("log in with your name and password first (or again: five minutes have passed)");
            return;
        }
        if (p.tries().incrementAndGet() > CODE_TRIES) {
            pending.invalidate(token);
            ctx.status(401).result("too many wrong codes; log in again");
            return;
        }
        TotpRequest request = TotpRequest.from(Json.parse(ctx.bodyAsBytes()));
        List<String> recoveryCodes = null;
        boolean ok;
        String how;
        if (p.enrolSecret() != null) {
            Optional<List<String>> codes = secondFactor.enrol(p.name(), p.enrolSecret(), request.code());
            ok = codes.isPresent();
            how = "totp-enrolled";
            recoveryCodes = codes.orElse(null);
        } else if (request.recoveryCode() != null) {
            ok = secondFactor.recover(p.name(), request.recoveryCode());
            how = "recovery-code";
        } else {
            ok = secondFactor.verify(p.name(), request.code());
            how = "totp";
        }
        if (!ok) {
            audit.record(p.name(), "login-second-factor-failed", ctx.ip());
            ctx.status(401).result(p.enrolSecret() != null
                    ? "that code does not match the new secret; check the phone's clock and type the code shown now"
                    : "wrong or already used code");
            return;
        }
        pending.invalidate(token);
        ctx.removeCookie(PENDING_COOKIE, "/api/login");
        Optional<StaffAccounts.Standing> standing = staff.standing(p.name());
        if (standing.isEmpty()) {
            ctx.status(401).result("wrong name or password");
            return;
        }
        grant(ctx, p.name(), standing.get(), recoveryCodes, how);
    }

    /** {@code recoveryCodes} and {@code secondFactor} are null after a password-only login. */
    private void grant(Context ctx, String name, StaffAccounts.Standing standing, List<String> recoveryCodes,
                       String secondFactor) throws SQLException {
        StaffSession session = openSession(ctx, name, standing);
        Web.json(ctx, new GrantBody(sessionBody(session), recoveryCodes, secondFactor));
    }

    /** A new session and its cookie, as every way of signing in ends (password, second factor, OidcRoutes). */
    StaffSession openSession(Context ctx, String name, StaffAccounts.Standing standing) throws SQLException {
        StaffSession session = sessions.create(name, standing);
        access.askStaffAupOf(session);
        audit.record(name, "login", ctx.ip());
        Cookie cookie = new Cookie(DashboardServer.COOKIE, session.token());
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setSecure(secureCookies);
        ctx.cookie(cookie);
        return session;
    }

    /** True when this role must give Haven's second factor after signing in (auth.requireTotpFor). */
    boolean needsSecondFactor(Role role) {
        return auth.requireTotpFor().contains(role);
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

    /** The session as the dashboard draws it, permissions in the table's order. */
    private SessionBody sessionBody(StaffSession s) throws SQLException {
        var outstanding = access.staffAupOutstanding(s);
        return new SessionBody(outstanding.isPresent() ? Integer.toString(outstanding.getAsInt()) : null, s.name(),
                s.role().wire(), s.csrf(), Permissions.of(s.role()).stream().sorted().map(p -> p.wire()).toList());
    }
}
