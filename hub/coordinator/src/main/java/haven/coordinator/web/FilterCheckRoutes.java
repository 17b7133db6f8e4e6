package haven.coordinator.web;

import haven.coordinator.Permission;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.CommandSender;
import haven.coordinator.FilterChecks;
import haven.coordinator.Role;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.protocol.RoomId;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Set;

/**
 * The filter check on the dashboard (docs/FILTERING.md): start a check in a room (technician, coordinator),
 * read the DfE check log (staff who answer for filtering, and governors, who receive "regular monitoring of
 * filtering", seed 001), record the resulting action of a failed check (technician, coordinator), and export it
 * as CSV. The dashboard's login and CSRF checks run first for everything under /api/.
 */
public final class FilterCheckRoutes {
    static final int LIMIT = 1000;

    private FilterCheckRoutes() {
    }

    /** POST /api/filter-checks/{id}/action: what was done about a failed check, in the technician's words. */
    record ActionRequest(String action) {
        static ActionRequest from(JsonNode body) {
            return new ActionRequest(FilterChecks.requireAction(body.path("action").asText("")));
        }
    }

    public static void mount(JavalinConfig config, FilterChecks checks, CommandSender commands, AuditLog audit) {
        config.routes.post("/api/rooms/{site}/{room}/filter-check", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            RoomId room = new RoomId(ctx.pathParam("site"), ctx.pathParam("room"));
            audit.record(who.name(), "filter-check-request", "room=" + room);
            boolean sent = commands.send(room, CommandName.FILTER_CHECK, who, Json.object());
            ctx.status(sent ? 202 : 503).result(sent ? "sent to the hub; the result appears in the check log"
                    : "the broker is unreachable; try again");
        }, RouteAccess.of(Permission.START_FILTER_CHECK));
        config.routes.get("/api/filter-checks", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Web.json(ctx, checks.list(LIMIT).stream().map(FilterChecks.Entry::body).toList());
        }, RouteAccess.of(Permission.VIEW_FILTER_CHECKS));
        config.routes.get("/api/filter-checks.csv", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            audit.record(who.name(), "filter-check-export", "csv");
            ctx.header("Content-Disposition", "attachment; filename=\"haven-filter-checks.csv\"");
            ctx.contentType("text/csv; charset=utf-8").result(checks.csv(LIMIT));
        }, RouteAccess.of(Permission.VIEW_FILTER_CHECKS));
        config.routes.post("/api/filter-checks/{id}/action", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            ActionRequest request = ActionRequest.from(Json.parse(ctx.bodyAsBytes()));
            switch (checks.recordAction(ctx.pathParam("id"), request.action(), who)) {
                case RECORDED -> ctx.status(201).result("recorded");
                case NO_SUCH_CHECK -> ctx.status(404).result("no filter check with id " + ctx.pathParam("id"));
                case ALREADY_RECORDED -> ctx.status(409).result("an action is already recorded for this check");
            }
        }, RouteAccess.of(Permission.RECORD_FILTER_ACTION));
    }

}
