package haven.coordinator.web;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.CommandSender;
import haven.coordinator.IsolationView;
import haven.coordinator.Isolations;
import haven.coordinator.Permission;
import haven.coordinator.SignOffs;
import haven.coordinator.StaffSession;
import haven.coordinator.Visibility;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Isolated computers: the list, the senior sign-offs that release one, and an isolation asked for from the
 * dashboard. Policy: "more than one senior member of staff involved" — the second valid sign-off of a
 * different senior person sends cmd/release to the hub, once.
 */
final class IsolationRoutes {
    private final Database db;
    private final Isolations isolations;
    private final AuditLog audit;
    private final StaffDecisions decisions;
    private final CommandSender commands;
    private final LiveFeed feed;
    private final Clock clock;

    /** A remote isolation: one machine by its label, or none to let the teacher choose on the kiosk. */
    /** {@code reason} (optional, docs/CASEWORK.md) is kept with the case the isolation opens or joins. */
    record IsolateRequest(Optional<String> machine, Optional<String> reason) {
        static IsolateRequest from(String body) {
            JsonNode json = body.isBlank() ? Json.object() : Json.parse(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new IsolateRequest(json.hasNonNull("machine") ? Optional.of(json.get("machine").asText()) : Optional.empty(),
                    Optional.ofNullable(Web.text(json, "reason", 2000)));
        }
    }

    /** GET /api/isolations: the active isolations the viewer may see. */
    record IsolationsBody(List<IsolationView> isolations) {
    }

    /**
     * A sign-off's answer: the isolation as it now stands, how many more senior sign-offs the release needs, whether
     * the release went to the hub, and whose sign-offs counted and whose did not.
     */
    record SignOffBody(@JsonUnwrapped IsolationView isolation, int stillNeeded, boolean releaseSent, List<String> counted,
                       List<String> notCounted) {
    }

    IsolationRoutes(Database db, Isolations isolations, AuditLog audit, StaffDecisions decisions, CommandSender commands,
                    LiveFeed feed, Clock clock) {
        this.db = db;
        this.isolations = isolations;
        this.audit = audit;
        this.decisions = decisions;
        this.commands = commands;
        this.feed = feed;
        this.clock = clock;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/api/isolations", ctx -> {
            StaffSession who = Web.staff(ctx);
            Web.json(ctx, new IsolationsBody(db.query(isolations::open).stream().filter(i -> Visibility.isolation(i, who)).toList()));
        }, RouteAccess.of(Permission.VIEW_ISOLATIONS));
        config.routes.post("/api/isolations/{id}/signoff", this::signOff, RouteAccess.of(Permission.SIGN_OFF_RELEASE));
        config.routes.post("/api/rooms/{site}/{room}/isolate", this::requestIsolation, RouteAccess.of(Permission.ISOLATE_REMOTELY));
    }

    private void signOff(Context ctx) throws SQLException {
        StaffSession who = Web.staff(ctx);
        long id = Web.id(ctx, "id");
        Optional<IsolationView> found = db.query(c -> isolations.find(c, id));
        if (found.isEmpty() || found.get().status().equals("released") || !Visibility.isolation(found.get(), who)) {
            ctx.status(404).result("no such active isolation");
            return;
        }
        record Result(SignOffs.Decision decision, boolean sendRelease, IsolationView view) {
        }
        Result result = db.transaction(c -> {
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
        Web.json(ctx, new SignOffBody(result.view(), result.decision().stillNeeded(), sent, result.decision().counted(),
                result.decision().notCounted()));
    }

    private void requestIsolation(Context ctx) throws SQLException {
        StaffSession who = Web.staff(ctx);
        RoomId room = new RoomId(ctx.pathParam("site"), ctx.pathParam("room"));
        IsolateRequest request = IsolateRequest.from(ctx.body());
        ObjectNode args = Json.object();
        request.machine().ifPresent(m -> args.put("machine", m));
        String machine = request.machine().orElse("choose");
        // Isolation as part of a case (docs/CASEWORK.md): the request opens or joins the room's open incident.
        String reason = request.reason().orElse("isolated remotely from the dashboard");
        String opener = java.util.UUID.randomUUID().toString();
        haven.coordinator.Incident incident = db.transaction(c -> {
            Instant at = clock.instant();
            haven.coordinator.Incident joined = new haven.coordinator.CaseIsolations(new haven.coordinator.Incidents()).openOrJoin(c, room, opener,
                    at, reason);
            audit.record(c, who.name(), "isolation-request", "room=" + room + " machine=" + machine + " incident=" + joined.id());
            decisions.record(c, StaffDecisions.ISOLATION_REQUESTED, room, at, Json.object()
                    .put("machine", machine).put("by", who.name()).put("role", who.role().wire()).put("reason", reason)
                    .put("incident", joined.id()).put("report", joined.reportId()));
            return joined;
        });
        feed.incidentChanged(incident);
        boolean sent = commands.send(room, CommandName.ISOLATE, who, args);
        ctx.status(sent ? 202 : 503).result(sent ? "sent to the hub" : "the broker is unreachable; try again");
    }
}
