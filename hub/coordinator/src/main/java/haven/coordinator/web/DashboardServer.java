package haven.coordinator.web;

import haven.coordinator.AupLibrary;
import haven.coordinator.CommandSender;
import haven.coordinator.ExtraPage;
import haven.coordinator.FollowUpLookup;
import haven.coordinator.Incidents;
import haven.coordinator.Isolations;
import haven.coordinator.Rooms;
import haven.coordinator.Sessions;
import haven.coordinator.StaffAccounts;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.coordinator.notify.PushSubscriptions;
import haven.metrics.HavenMetrics;
import haven.store.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staff dashboard: one Javalin app that mounts the route classes (auth, incidents, isolations, reports,
 * AUPs, live view, ops, filter checks, room checks, push), each with only the collaborators it uses. The one
 * {@link AccessFilter} runs before every matched route: everything but /health, /metrics (loopback only) and
 * the login itself needs a session; every state change needs the session's CSRF token in a header; every
 * read of incident data is written to the audit table by the route that reads it.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
    static final String COOKIE = "haven_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Duration SESSION_CHECK = Duration.ofSeconds(2);

    private final Javalin app;
    private final LiveFeed feed;
    private final AccessFilter access;
    /** Re-checks open live feeds: `haven user` changes accounts from another process, and sessions expire. */
    private final ScheduledExecutorService sessionCheck;

    public DashboardServer(Database db, Incidents incidents, Rooms rooms, Isolations isolations, AupLibrary aups,
                           LiveFeed feed, Sessions sessions,
                           StaffAccounts staff, AuditLog audit, CommandSender commands, Clock clock, boolean secureCookies,
                           AtomicReference<String> setupToken,
                           HavenMetrics metrics, FollowUpLookup followUps,
                           Optional<PushSubscriptions> push, List<ExtraPage> extraPages,
                           haven.coordinator.RoomNames roomNames, java.util.function.BooleanSupplier brokerConnected,
                           haven.coordinator.AuthConfig auth, Duration buttonTestDue) {
        this.feed = feed;
        haven.coordinator.StaffAupAcceptances staffAup = new haven.coordinator.StaffAupAcceptances(db, clock);
        this.access = new AccessFilter(sessions, staff, staffAup);
        StaffDecisions decisions = new StaffDecisions(clock);
        haven.coordinator.Cases cases = new haven.coordinator.Cases(incidents, clock);
        this.sessionCheck = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("dashboard-session-check").daemon(true).factory());
        staff.onChange(this::closeEndedFeeds);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/haven-ui/dashboard";
                files.location = Location.CLASSPATH;
            });
            config.routes.before(ctx -> {
                ctx.header("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                        + "media-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Referrer-Policy", "no-referrer");
            });
            NoStore.mount(config);
            RequestLimits.mount(config);
            LoginCsrf.mount(config);
            ClientAddress.mount(config, haven.coordinator.TrustedProxies.parse(auth.trustedProxies()));
            config.routes.beforeMatched(access::handle);
            new OpsRoutes(db, rooms, metrics).mount(config);
            AuthRoutes authRoutes = new AuthRoutes(sessions, staff, audit, access, feed, clock, secureCookies, setupToken,
                    new haven.coordinator.SecondFactor(db, clock), auth);
            authRoutes.mount(config);
            auth.oidc().ifPresent(oidc -> new OidcRoutes(oidc, authRoutes, staff, audit, clock, secureCookies).mount(config));
            new IncidentRoutes(db, incidents, audit, decisions, commands, feed, followUps, clock).mount(config);
            new IsolationRoutes(db, isolations, audit, decisions, commands, feed, clock).mount(config);
            new ReportRoutes(db, incidents, audit, staffAup).mount(config);
            new AupRoutes(db, aups, audit, feed).mount(config);
            new StaffRoutes(staff, audit).mount(config);
            new StaffAupRoutes(db, staffAup, audit, sessions).mount(config);
            FollowUpRoutes.mount(config, db, incidents, audit, decisions, feed, clock);
            new LiveRoutes(db, rooms, incidents, isolations, aups, audit, access, feed).mount(config);
            PushRoutes.mount(config, push);
            FilterCheckRoutes.mount(config, new haven.coordinator.FilterChecks(db, audit, clock, incidents, feed), commands, audit);
            UnblockRoutes.mount(config, new haven.coordinator.UnblockRequests(db, audit, clock), feed);
            FilteringReportRoutes.mount(config, db, audit);
            RoomChecksRoutes.mount(config, new haven.coordinator.ButtonTests(db, clock, buttonTestDue), new haven.coordinator.RoomHealth(db, clock), commands, audit);
            DashboardPagesRoutes.mount(config, db, incidents, audit, roomNames, brokerConnected, clock.instant());
            ConcernRoutes.mount(config, db, cases, audit, feed);
            CaseRoutes.mount(config, db, incidents, cases, staff, audit, feed);
            BreachRoutes.mount(config, db, new haven.coordinator.Breaches(clock), audit, feed, clock);
            ReviewRoutes.mount(config, db, incidents, new haven.coordinator.CaseEvidence(incidents, clock), audit, feed, clock);
            RoomReleaseRoutes.mount(config, db, isolations, audit, commands, feed, clock);
            BundleRoutes.mount(config, db, incidents, cases, new haven.coordinator.CaseEvidence(incidents, clock), audit, clock);
            for (ExtraPage page : extraPages) {
                config.routes.get(page.path(), ctx -> ctx.contentType("text/html; charset=utf-8").result(page.html().get()),
                        RouteAccess.PUBLIC);
            }
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).result(e.getMessage()));
            config.routes.exception(haven.mqtt.PublishFailed.class, (e, ctx) ->
                    ctx.status(503).result("saved, but the broker is unreachable: it will be sent when the coordinator reconnects"));
            config.routes.exception(SQLException.class, (e, ctx) -> {
                log.error("dashboard database error path={}", ctx.path(), e);
                ctx.status(503).result("the incident log is unavailable; try again shortly");
            });
        });
    }

    public DashboardServer start(String host, int port) {
        app.start(host, port);
        sessionCheck.scheduleWithFixedDelay(this::closeEndedFeeds, SESSION_CHECK.toMillis(), SESSION_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
        log.info("dashboard listening url=http://{}:{}/", host, app.port());
        return this;
    }

    public int port() {
        return app.port();
    }

    /** One mounted route and what it declares it needs ("public", "signed-in", a permission's wire name, or "none"). */
    public record DeclaredRoute(String method, String path, Optional<RouteAccess> access) {
    }

    /** Every mounted HTTP and WebSocket route with its declaration, read back from the router: what the route-walk test walks. */
    public List<DeclaredRoute> routes() {
        List<DeclaredRoute> out = new java.util.ArrayList<>();
        for (var parsed : app.unsafe.internalRouter.allHttpHandlers()) {
            var endpoint = parsed.endpoint;
            var roles = endpoint.metadata(io.javalin.security.Roles.class);
            Optional<RouteAccess> declared = roles == null ? Optional.empty() : roles.getRoles().stream()
                    .filter(RouteAccess.class::isInstance).map(RouteAccess.class::cast).findFirst();
            if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(endpoint.method.name())) {
                out.add(new DeclaredRoute(endpoint.method.name(), endpoint.path, declared));
            }
        }
        for (var ws : app.unsafe.internalRouter.allWsHandlers()) {
            out.add(new DeclaredRoute("WS", ws.getPath(), ws.getRoles().stream()
                    .filter(RouteAccess.class::isInstance).map(RouteAccess.class::cast).findFirst()));
        }
        return out;
    }

    private void closeEndedFeeds() {
        try {
            feed.closeWhere(s -> {
                try {
                    return access.current(s.token()).isEmpty();
                } catch (SQLException e) {
                    log.warn("session re-check skipped: the staff table is unavailable reason={}", e.getMessage());
                    return false;
                }
            });
        } catch (RuntimeException e) {
            log.warn("session re-check failed reason={}", e.getMessage());
        }
    }

    /** Who is logged in, for route classes mounted beside these under /api/ (the access filter has already run). */
    public static StaffSession staffOf(Context ctx) {
        return Web.staff(ctx);
    }

    @Override
    public void close() {
        sessionCheck.shutdownNow();
        app.stop();
    }
}
