package haven.coordinator.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Incident;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The pupil's follow-up code on the dashboard (docs/KIOSK.md): after the look-up of the two words a pupil told
 * an adult (IncidentRoutes), record that the pupil came forward to that adult. "Came forward" is a staff decision: chained as
 * {@code coordinator.came-forward} in the same transaction as the incident's columns, audited, once per
 * incident. The policy asks that pupils "know how to report a worry"; this is the record that one did, and to
 * whom, so the DSL can see who has spoken to the child.
 */
public final class FollowUpRoutes {
    private FollowUpRoutes() {
    }

    public static void mount(JavalinConfig config, Database db, Incidents incidents, AuditLog audit,
                             StaffDecisions decisions, LiveFeed feed, Clock clock) {
        config.routes.post("/api/incidents/{id}/came-forward", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            long id = Long.parseLong(ctx.pathParam("id"));
            Optional<Incident> visible = db.query(c -> incidents.find(c, id)).filter(i -> i.viewFor(who).isPresent());
            if (visible.isEmpty()) {
                ctx.status(404).result("no such incident");
                return;
            }
            Optional<Incident> recorded = db.transaction(c -> {
                Instant at = clock.instant();
                Optional<Incident> done = incidents.cameForward(c, id, who.name(), at);
                if (done.isPresent()) {
                    audit.record(c, who.name(), "came-forward", "incident=" + id);
                    decisions.record(c, StaffDecisions.CAME_FORWARD, done.get().room(), at, Json.object().put("incident", id)
                            .put("report", done.get().reportId()).put("by", who.name()).put("role", who.role().wire()));
                }
                return done;
            });
            if (recorded.isEmpty()) {
                Incident before = db.query(c -> incidents.find(c, id)).orElse(visible.get());
                ctx.status(409).result("already recorded: the pupil came forward to " + before.cameForwardBy()
                        + " at " + Incident.wire(before.cameForwardAt()));
                return;
            }
            feed.incidentChanged(recorded.get());
            // The incident as Incident#viewFor draws it for this viewer: a tree that Incident owns.
            ObjectNode out = recorded.get().viewFor(who).orElseThrow();
            ctx.status(201);
            Web.json(ctx, out);
        }, RouteAccess.of(Permission.RECORD_CAME_FORWARD));
    }
}
