package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.UnblockRequests;
import haven.protocol.Json;
import io.javalin.config.JavalinConfig;

/**
 * Temporary unblock requests on the dashboard (docs/FILTERING.md): staff request (sites, reason, class or group,
 * from, until), the technician approves or refuses with a reason, and the list shows each request's status with
 * {@code pastUntil} and {@code expired} flags. Every change reaches the DSL's open dashboard through the live feed.
 */
public final class UnblockRoutes {
    private UnblockRoutes() {
    }

    public static void mount(JavalinConfig config, UnblockRequests requests, LiveFeed feed) {
        config.routes.post("/api/unblock-requests", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            UnblockRequests.Request made = requests.request(UnblockRequests.Asked.from(Json.parse(ctx.bodyAsBytes())), who);
            feed.unblockRequestChanged(made, requests.now());
            ctx.status(201).contentType("application/json").result(Json.write(made.toJson(requests.now())));
        }, RouteAccess.of(Permission.REQUEST_UNBLOCK));
        config.routes.post("/api/unblock-requests/{id}/decision", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("id"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("request id must be a number");
            }
            JsonNode body = Json.parse(ctx.bodyAsBytes());
            String decision = body.path("decision").asText("");
            if (!decision.equals("approve") && !decision.equals("refuse")) {
                throw new IllegalArgumentException("field 'decision' must be approve or refuse");
            }
            UnblockRequests.Decision result = requests.decide(id, decision.equals("approve"), body.path("reason").asText(""), who);
            switch (result.outcome()) {
                case DECIDED -> {
                    feed.unblockRequestChanged(result.request().orElseThrow(), requests.now());
                    ctx.contentType("application/json").result(Json.write(result.request().orElseThrow().toJson(requests.now())));
                }
                case NO_SUCH_REQUEST -> ctx.status(404).result("no unblock request with id " + id);
                case ALREADY_DECIDED -> ctx.status(409).result("this request is already " + result.request().orElseThrow().status());
                case PERIOD_OVER -> ctx.status(409).result("the requested period is over; the teacher can make a new request");
            }
        }, RouteAccess.of(Permission.DECIDE_UNBLOCK));
        config.routes.get("/api/unblock-requests", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            var out = Json.array();
            var now = requests.now();
            requests.list(who).forEach(r -> out.add(r.toJson(now)));
            ctx.contentType("application/json").result(Json.write(out));
        }, RouteAccess.of(Permission.VIEW_UNBLOCK_REQUESTS));
    }
}
