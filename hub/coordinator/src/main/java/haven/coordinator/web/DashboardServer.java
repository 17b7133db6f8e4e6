package haven.coordinator.web;

import haven.coordinator.ExtraPage;

import haven.coordinator.FollowUpLookup;

import haven.coordinator.IncidentExport;
import haven.coordinator.Sessions;
import haven.coordinator.RoomView;
import haven.coordinator.AupLibrary;
import haven.coordinator.Role;
import haven.coordinator.Permission;
import haven.coordinator.Permissions;
import haven.coordinator.Visibility;
import haven.coordinator.IsolationView;
import haven.coordinator.Incident;
import haven.coordinator.StaffSession;
import haven.coordinator.CommandSender;
import haven.coordinator.Incidents;
import haven.coordinator.Isolations;
import haven.coordinator.StaffAccounts;
import haven.coordinator.Rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.SignOffs;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.store.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.javalin.http.staticfiles.Location;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staff dashboard: login, the live WebSocket, and the incident API. Everything but /health and the
 * login itself needs a session; every state change needs the session's CSRF token in a header; every read
 * of incident data is written to the audit table.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
    static final String COOKIE = "haven_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String STAFF = AccessFilter.STAFF;
    private static final int MAX_FAILURES = 5;
    private static final Duration SESSION_CHECK = Duration.ofSeconds(2);
    private static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);
    private static final Set<String> OUTCOMES = Set.of("resolved-in-class", "referred-to-dsl", "parents-informed",
            "referred-to-police-or-lado", "no-further-action");

    private final Javalin app;
    private final Database db;
    private final Incidents incidents;
    private final Rooms rooms;
    private final Isolations isolations;
    private final AupLibrary aups;
    private final LiveFeed feed;
    private final Sessions sessions;
    private final StaffAccounts staff;
    private final AuditLog audit;
    private final CommandSender commands;
    private final Clock clock;
    private final boolean secureCookies;
    private final Map<String, List<Instant>> failures = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicReference<String> setupToken;
    private final AccessFilter access;
    private final StaffDecisions decisions;
    /** Re-checks open live feeds: `haven user` changes accounts from another process, and sessions expire. */
    private final java.util.concurrent.ScheduledExecutorService sessionCheck;

    public DashboardServer(Database db, Incidents incidents, Rooms rooms, Isolations isolations, AupLibrary aups,
                           LiveFeed feed, Sessions sessions,
                           StaffAccounts staff, AuditLog audit, CommandSender commands, Clock clock, boolean secureCookies,
                           java.util.concurrent.atomic.AtomicReference<String> setupToken,
                           haven.metrics.HavenMetrics metrics, FollowUpLookup followUps,
                           Optional<haven.coordinator.notify.PushSubscriptions> push, java.util.List<ExtraPage> extraPages) {
        this.db = db;
        this.incidents = incidents;
        this.rooms = rooms;
        this.isolations = isolations;
        this.aups = aups;
        this.feed = feed;
        this.sessions = sessions;
        this.staff = staff;
        this.audit = audit;
        this.commands = commands;
        this.clock = clock;
        this.secureCookies = secureCookies;
        this.setupToken = setupToken;
        this.access = new AccessFilter(sessions, staff);
        this.decisions = new StaffDecisions(clock);
        RouteAccess open = RouteAccess.PUBLIC;
        this.sessionCheck = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
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
            // Incident JSON, exports and CSV are never kept by a browser or proxy cache (classroom PCs are shared).
            config.routes.after(ctx -> { if (ctx.path().startsWith("/api/")) { ctx.header("Cache-Control", "no-store"); } });
            config.routes.beforeMatched(access::handle);
            config.routes.get("/health", ctx -> ctx.result("ok"), open);
            // Counts only, no pupil or incident data; still limited to this machine (scrape via a local agent).
            config.routes.get("/metrics", ctx -> {
                if (!ctx.ip().equals("127.0.0.1") && !ctx.ip().equals("0:0:0:0:0:0:0:1") && !ctx.ip().equals("::1")) {
                    ctx.status(403).result("metrics are served to this machine only");
                    return;
                }
                ctx.contentType(haven.metrics.HavenMetrics.CONTENT_TYPE).result(metrics.scrape());
            }, open);
            config.routes.post("/api/login", this::login, open);
            config.routes.post("/api/logout", ctx -> {
                String token = ctx.cookie(COOKIE);
                sessions.end(token);
                feed.sessionEnded(token);
                ctx.removeCookie(COOKIE, "/");
                ctx.status(204);
            }, RouteAccess.SIGNED_IN);
            // Answers 200 either way: "am I logged in?" is a normal question, not an error in the browser console.
            config.routes.get("/api/session", ctx -> {
                Optional<StaffSession> who = access.current(ctx.cookie(COOKIE));
                json(ctx, who.map(DashboardServer::sessionJson).orElseGet(() -> Json.object().putNull("name")));
            }, open);
            config.routes.get("/api/rooms", ctx -> {
                List<RoomView> list = db.read(rooms::list);
                ObjectNode out = Json.object();
                var arr = out.putArray("rooms");
                list.forEach(r -> arr.add(r.toJson()));
                json(ctx, out);
            }, RouteAccess.of(Permission.VIEW_ROOMS));
            config.routes.get("/api/incidents", ctx -> {
                StaffSession who = session(ctx);
                String status = Optional.ofNullable(ctx.queryParam("status")).orElse("open");
                List<Incident> list = db.inTransaction(c -> {
                    audit.record(c, who.name(), "list-incidents", "status=" + status);
                    return incidents.list(c, status, i -> i.viewFor(who).isPresent());
                });
                ObjectNode out = Json.object();
                var arr = out.putArray("incidents");
                list.forEach(i -> i.viewFor(who).ifPresent(arr::add));
                json(ctx, out);
            }, RouteAccess.of(Permission.VIEW_INCIDENTS));
            config.routes.get("/api/snapshot", ctx -> json(ctx, snapshot(session(ctx), "snapshot")), RouteAccess.of(Permission.VIEW_LIVE));
            config.routes.post("/api/incidents/{id}/ack", this::acknowledge, RouteAccess.of(Permission.ACKNOWLEDGE));
            config.routes.get("/api/incidents/{id}", this::detail, RouteAccess.of(Permission.VIEW_INCIDENTS));
            config.routes.get("/api/follow-up/{code}", ctx -> {
                FollowUpLookup.Answer answer = followUps.answer(ctx.pathParam("code"), session(ctx));
                ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
            }, RouteAccess.of(Permission.LOOK_UP_FOLLOW_UP));
            config.routes.get("/api/reports", ctx -> {
                StaffSession who = session(ctx);
                json(ctx, db.inTransaction(c -> {
                    audit.record(c, who.name(), "view-report", "anonymised");
                    return incidents.report(c, Visibility.reportIncludesHeadOnly(who.role()));
                }));
            }, RouteAccess.of(Permission.VIEW_REPORT));
            config.routes.post("/api/setup", this::setup, open);
            config.routes.get("/api/incidents/{id}/export", ctx -> {
                StaffSession who = session(ctx);
                long id = Long.parseLong(ctx.pathParam("id"));
                Optional<Incident> found = db.read(c -> incidents.find(c, id));
                if (found.isEmpty() || !Visibility.fullDetail(found.get(), who)) {
                    ctx.status(404).result("no such incident");
                    return;
                }
                String format = "json".equals(ctx.queryParam("format")) ? "json" : "html";
                Optional<ObjectNode> export = db.inTransaction(c -> {
                    audit.record(c, who.name(), "export", "incident=" + id);
                    decisions.record(c, StaffDecisions.EXPORTED, found.get().room(), Json.object().put("incident", id)
                            .put("report", found.get().reportId()).put("by", who.name()).put("role", who.role().wire()).put("format", format));
                    return new IncidentExport(incidents).build(c, id, who.name(), clock.instant());
                });
                if ("json".equals(ctx.queryParam("format"))) {
                    json(ctx, export.orElseThrow());
                } else {
                    ctx.contentType("text/html; charset=utf-8").result(IncidentExport.html(export.orElseThrow(), "/print.css"));
                }
            }, RouteAccess.of(Permission.EXPORT));
            config.routes.get("/api/audit", ctx -> {
                StaffSession who = session(ctx);
                json(ctx, db.inTransaction(c -> {
                    audit.record(c, who.name(), "view-audit", "latest 500");
                    ObjectNode out = Json.object();
                    var arr = out.putArray("audit");
                    try (var ps = c.prepareStatement("SELECT at, actor, action, target FROM audit ORDER BY id DESC LIMIT 500");
                         var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            arr.addObject().put("at", rs.getString(1)).put("actor", rs.getString(2))
                                    .put("action", rs.getString(3)).put("target", rs.getString(4));
                        }
                    }
                    return out;
                }));
            }, RouteAccess.of(Permission.VIEW_AUDIT));
            config.routes.get("/api/reports.csv", ctx -> {
                StaffSession who = session(ctx);
                ObjectNode report = db.inTransaction(c -> {
                    audit.record(c, who.name(), "download-report", "csv");
                    return incidents.report(c, Visibility.reportIncludesHeadOnly(who.role()));
                });
                StringBuilder csv = new StringBuilder("month,room,category,outcome,count,average_minutes_to_acknowledge\n");
                for (JsonNode r : report.get("months")) {
                    csv.append(r.get("month").asText()).append(',').append(r.get("room").asText()).append(',')
                            .append(r.get("category").asText()).append(',').append(r.get("outcome").asText()).append(',')
                            .append(r.get("count").asLong()).append(',')
                            .append(r.has("averageMinutesToAcknowledge") ? r.get("averageMinutesToAcknowledge").asText() : "")
                            .append('\n');
                }
                ctx.header("Content-Disposition", "attachment; filename=\"haven-report.csv\"");
                ctx.contentType("text/csv; charset=utf-8").result(csv.toString());
            }, RouteAccess.of(Permission.VIEW_REPORT));
            config.routes.post("/api/incidents/{id}/close", this::close, RouteAccess.of(Permission.CLOSE));
            config.routes.get("/api/isolations", ctx -> {
                StaffSession who = session(ctx);
                ObjectNode out = Json.object();
                var arr = out.putArray("isolations");
                db.read(isolations::open).stream().filter(i -> Visibility.isolation(i, who)).forEach(i -> arr.add(i.toJson()));
                json(ctx, out);
            }, RouteAccess.of(Permission.VIEW_ISOLATIONS));
            config.routes.post("/api/isolations/{id}/signoff", this::signOff, RouteAccess.of(Permission.SIGN_OFF_RELEASE));
            config.routes.get("/api/aups", ctx -> json(ctx, aupsJson()), RouteAccess.of(Permission.VIEW_AUPS));
            config.routes.post("/api/aups", ctx -> {
                StaffSession who = session(ctx);
                JsonNode body = Json.parse(ctx.bodyAsBytes());
                var published = aups.publish(body.path("keyStage").asText(""), body.path("markdown").asText(""), who.name());
                db.inTransaction(c -> {
                    audit.record(c, who.name(), "aup-publish", published.keyStage() + " v" + published.version());
                    decisions.record(c, StaffDecisions.AUP_PUBLISHED, StaffDecisions.SCHOOL, Json.object()
                            .put("keyStage", published.keyStage()).put("version", published.version()).put("by", who.name()));
                    return null;
                });
                feed.aupsChanged(aupsJson());
                json(ctx, aupsJson());
            }, RouteAccess.of(Permission.PUBLISH_AUP));
            config.routes.post("/api/rooms/{site}/{room}/isolate", this::requestIsolation, RouteAccess.of(Permission.ISOLATE_REMOTELY));
            PushRoutes.mount(config, push);
            FilterCheckRoutes.mount(config, new haven.coordinator.FilterChecks(db, audit, clock), commands, audit);
            RoomChecksRoutes.mount(config, new haven.coordinator.ButtonTests(db, clock), new haven.coordinator.RoomHealth(db, clock), commands, audit);
            for (ExtraPage page : extraPages) {
                config.routes.get(page.path(), ctx -> ctx.contentType("text/html; charset=utf-8").result(page.html().get()), open);
            }
            config.routes.ws("/ws", ws -> {
                ws.onConnect(ctx -> {
                    Optional<StaffSession> who = access.current(ctx.cookie(COOKIE));
                    if (who.isEmpty() || !Permissions.allows(who.get().role(), Permission.VIEW_LIVE)
                            || !sameOrigin(ctx.header("Origin"), ctx.header("Host"))) {
                        ctx.closeSession(1008, "login required");
                        return;
                    }
                    long seqBefore = feed.seq();
                    feed.join(ctx, who.get(), snapshot(who.get(), "live-view"));
                    log.debug("dashboard joined staff={} seq={}", who.get().name(), seqBefore);
                });
                ws.onClose(feed::leave);
                ws.onError(feed::leave);
            }, RouteAccess.of(Permission.VIEW_LIVE));
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
                java.util.concurrent.TimeUnit.MILLISECONDS);
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

    private static StaffSession session(Context ctx) {
        return ctx.attribute(STAFF);
    }

    /** Who is logged in, for pages mounted beside these under /api/ (the login check has already run). */
    public static StaffSession staffOf(Context ctx) {
        return session(ctx);
    }

    private void login(Context ctx) throws SQLException {
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        String name = body.path("name").asText("");
        char[] password = body.path("password").asText("").toCharArray();
        String key = name + "|" + ctx.ip();
        Instant now = clock.instant();
        List<Instant> recent = failures.getOrDefault(key, List.of()).stream()
                .filter(t -> t.isAfter(now.minus(FAILURE_WINDOW))).toList();
        if (recent.size() >= MAX_FAILURES) {
            ctx.status(429).result("too many failed logins; wait five minutes");
            return;
        }
        Optional<Role> role = staff.verify(name, password);
        if (role.isEmpty()) {
            failures.put(key, concat(recent, now));
            audit.record(name.isEmpty() ? "-" : name, "login-failed", ctx.ip());
            ctx.status(401).result("wrong name or password");
            return;
        }
        failures.remove(key);
        Optional<StaffAccounts.Standing> standing = staff.standing(name);
        if (standing.isEmpty()) {
            ctx.status(401).result("wrong name or password");
            return;
        }
        StaffSession session = sessions.create(name, standing.get());
        audit.record(name, "login", ctx.ip());
        Cookie cookie = new Cookie(COOKIE, session.token());
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setSecure(secureCookies);
        ctx.cookie(cookie);
        json(ctx, sessionJson(session));
    }

    private static List<Instant> concat(List<Instant> list, Instant more) {
        List<Instant> out = new java.util.ArrayList<>(list);
        out.add(more);
        return out;
    }

    private void acknowledge(Context ctx) throws SQLException {
        StaffSession who = session(ctx);
        long id = Long.parseLong(ctx.pathParam("id"));
        Optional<Incident> visible = db.read(c -> incidents.find(c, id)).filter(i -> i.viewFor(who).isPresent());
        if (visible.isEmpty()) {
            ctx.status(404).result("no such incident");
            return;
        }
        Optional<Incident> acked = db.inTransaction(c -> {
            audit.record(c, who.name(), "acknowledge", "incident=" + id);
            Instant at = clock.instant();
            Optional<Incident> done = incidents.acknowledge(c, id, who.name(), at);
            if (done.isPresent()) {
                decisions.record(c, StaffDecisions.ACKNOWLEDGED, done.get().room(), at, Json.object().put("incident", id)
                        .put("report", done.get().reportId()).put("by", who.name()).put("role", who.role().wire()));
            }
            return done;
        });
        if (acked.isEmpty()) {
            ctx.status(409).result("this worry is already acknowledged or closed");
            return;
        }
        ObjectNode args = Json.object();
        args.put("report", acked.get().reportId());
        args.put("incident", id);
        boolean sent = commands.send(acked.get().room(), CommandName.ACK, who, args);
        feed.incidentChanged(acked.get());
        ObjectNode out = acked.get().toJson();
        out.put("hubNotified", sent);
        json(ctx, out);
    }

    private void close(Context ctx) throws SQLException {
        StaffSession who = session(ctx);
        long id = Long.parseLong(ctx.pathParam("id"));
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        String outcome = body.path("outcome").asText("");
        if (!OUTCOMES.contains(outcome)) {
            ctx.status(400).result("outcome must be one of " + OUTCOMES);
            return;
        }
        Incidents.Closing closing = new Incidents.Closing(outcome, text(body, "notes", 4000), url(body), text(body, "nature", 2000));
        Optional<Incident> visible = db.read(c -> incidents.find(c, id)).filter(i -> i.viewFor(who).isPresent());
        if (visible.isEmpty()) {
            ctx.status(404).result("no such incident");
            return;
        }
        Optional<Incident> closed = db.inTransaction(c -> {
            audit.record(c, who.name(), "close", "incident=" + id + " outcome=" + outcome);
            Instant at = clock.instant();
            Optional<Incident> done = incidents.close(c, id, who.name(), closing, at);
            if (done.isPresent()) {
                ObjectNode data = Json.object().put("incident", id).put("report", done.get().reportId()).put("by", who.name())
                        .put("role", who.role().wire()).put("outcome", closing.outcome());
                data.put("notes", closing.notes()).put("url", closing.url()).put("nature", closing.nature());
                decisions.record(c, StaffDecisions.CLOSED, done.get().room(), at, data);
            }
            return done;
        });
        if (closed.isEmpty()) {
            ctx.status(409).result("this incident is already closed");
            return;
        }
        feed.incidentChanged(closed.get());
        json(ctx, closed.get().toJson());
    }

    private static String text(JsonNode body, String field, int max) {
        String value = body.path(field).asText("").strip();
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters");
        }
        return value.isEmpty() ? null : value;
    }

    /** Policy: record the URL of misuse (never the content itself). Only http(s) addresses are kept. */
    private static String url(JsonNode body) {
        String value = text(body, "url", 2048);
        if (value != null && !value.matches("(?i)https?://\\S+")) {
            throw new IllegalArgumentException("url must be an http:// or https:// address");
        }
        return value;
    }

    /** One incident with its chronology; the view itself is audited. */
    private void detail(Context ctx) throws SQLException {
        StaffSession who = session(ctx);
        long id = Long.parseLong(ctx.pathParam("id"));
        Optional<Incident> found = db.read(c -> incidents.find(c, id));
        Optional<ObjectNode> view = found.flatMap(i -> i.viewFor(who));
        if (view.isEmpty()) {
            ctx.status(404).result("no such incident");
            return;
        }
        ObjectNode out = view.get();
        List<ObjectNode> chronology = db.inTransaction(c -> {
            audit.record(c, who.name(), "view-incident", "incident=" + id);
            return Visibility.fullDetail(found.get(), who) ? incidents.chronology(c, found.get()) : List.of();
        });
        var arr = out.putArray("chronology");
        chronology.forEach(arr::add);
        json(ctx, out);
    }

    /**
     * First run: the one-time link printed at start creates the first coordinator account. Serialised, so
     * the link used several times at once still makes one account: the check, the account and spending the
     * token happen together (a bad name or password leaves the link usable).
     */
    private synchronized void setup(Context ctx) throws SQLException {
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        String token = setupToken.get();
        if (token == null || staff.hasCoordinator() || !token.equals(body.path("token").asText(""))) {
            ctx.status(403).result("this setup link is no longer valid");
            return;
        }
        String name = body.path("name").asText("");
        staff.put(name, Role.COORDINATOR, body.path("password").asText("").toCharArray());
        setupToken.set(null);
        audit.record(name, "first-run-setup", "coordinator account created");
        ctx.status(201).result("coordinator account created; log in");
    }

    /**
     * Policy: more than one senior member of staff is involved. Each sign-off is audited; the second
     * valid one (a different person, senior/coordinator/head) sends cmd/release to the hub, once.
     */
    private void signOff(Context ctx) throws SQLException {
        StaffSession who = session(ctx);
        long id = Long.parseLong(ctx.pathParam("id"));
        Optional<IsolationView> found = db.read(c -> isolations.find(c, id));
        if (found.isEmpty() || found.get().status().equals("released") || !Visibility.isolation(found.get(), who)) {
            ctx.status(404).result("no such active isolation");
            return;
        }
        record Result(SignOffs.Decision decision, boolean sendRelease, IsolationView view) {
        }
        Result result = db.inTransaction(c -> {
            audit.record(c, who.name(), "isolation-signoff", "isolation=" + id);
            Instant at = clock.instant();
            isolations.signOff(c, id, who, at);
            decisions.record(c, StaffDecisions.SIGNED_OFF, found.get().room(), at, Json.object().put("isolation", id)
                    .put("machine", found.get().machine()).put("by", who.name()).put("role", who.role().wire()));
            SignOffs.Decision decision = SignOffs.decide(isolations.signOffs(c, id));
            boolean send = decision.releaseAllowed() && isolations.markReleaseRequested(c, id, at);
            if (send) {
                ObjectNode data = Json.object().put("isolation", id).put("machine", found.get().machine());
                decision.counted().forEach(data.putArray("signedBy")::add);
                decisions.record(c, StaffDecisions.RELEASE_SENT, found.get().room(), at, data);
            }
            return new Result(decision, send, isolations.find(c, id).orElseThrow());
        });
        boolean sent = false;
        if (result.sendRelease()) {
            ObjectNode args = Json.object();
            args.put("machine", result.view().machine());
            args.put("isolation", id);
            args.put("signedBy", String.join(",", result.decision().counted()));
            sent = commands.send(result.view().room(), CommandName.RELEASE, who, args);
        }
        feed.isolationChanged(result.view());
        ObjectNode out = result.view().toJson();
        out.put("stillNeeded", result.decision().stillNeeded());
        out.put("releaseSent", sent);
        var counted = out.putArray("counted");
        result.decision().counted().forEach(counted::add);
        var notCounted = out.putArray("notCounted");
        result.decision().notCounted().forEach(notCounted::add);
        json(ctx, out);
    }

    private void requestIsolation(Context ctx) throws SQLException {
        StaffSession who = session(ctx);
        haven.protocol.RoomId room = new haven.protocol.RoomId(ctx.pathParam("site"), ctx.pathParam("room"));
        JsonNode body = ctx.body().isBlank() ? Json.object() : Json.parse(ctx.bodyAsBytes());
        ObjectNode args = Json.object();
        if (body.hasNonNull("machine")) {
            args.put("machine", body.get("machine").asText());
        }
        db.inTransaction(c -> {
            audit.record(c, who.name(), "isolation-request", "room=" + room + " machine=" + body.path("machine").asText("choose"));
            decisions.record(c, StaffDecisions.ISOLATION_REQUESTED, room, Json.object()
                    .put("machine", body.path("machine").asText("choose")).put("by", who.name()).put("role", who.role().wire()));
            return null;
        });
        boolean sent = commands.send(room, CommandName.ISOLATE, who, args);
        ctx.status(sent ? 202 : 503).result(sent ? "sent to the hub" : "the broker is unreachable; try again");
    }

    private ObjectNode aupsJson() throws SQLException {
        ObjectNode out = Json.object();
        ObjectNode latest = out.putObject("latest");
        aups.latest().forEach((ks, m) -> latest.put(ks, m.version()));
        return out;
    }

    private ObjectNode snapshot(StaffSession who, String auditAction) throws SQLException {
        ObjectNode aupVersions = aupsJson();
        return db.inTransaction(c -> {
            audit.record(c, who.name(), auditAction, "open-incidents");
            ObjectNode json = LiveFeed.snapshot(rooms.list(c), incidents.list(c, "open", i -> i.viewFor(who).isPresent()), isolations.open(c), who);
            json.set("aups", aupVersions.get("latest"));
            json.put("seq", feed.seq());
            return json;
        });
    }

    private static ObjectNode sessionJson(StaffSession s) {
        ObjectNode json = Json.object();
        json.put("name", s.name());
        json.put("role", s.role().wire());
        json.put("csrf", s.csrf());
        var permissions = json.putArray("permissions");
        Permissions.of(s.role()).stream().sorted().forEach(p -> permissions.add(p.wire()));
        return json;
    }

    /** Cross-site WebSocket hijacking guard: a browser always sends Origin on a WebSocket upgrade. */
    private static boolean sameOrigin(String origin, String host) {
        if (origin == null) {
            return true; // not a browser (e.g. a test client or curl); the session cookie still applies
        }
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    private static void json(Context ctx, JsonNode node) {
        ctx.contentType("application/json").result(Json.write(node).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        sessionCheck.shutdownNow();
        app.stop();
    }
}
