package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.UnblockRequests;
import haven.protocol.Json;
import io.javalin.config.JavalinConfig;
import java.util.Arrays;
import java.util.Optional;

/**
 * Temporary unblock requests on the dashboard (docs/FILTERING.md): staff request (sites, reason, class or group,
 * from, until), the technician approves or refuses with a reason, and the list shows each request's status with
 * {@code pastUntil} and {@code expired} flags. Every change reaches the DSL's open dashboard through the live feed.
 */
public final class UnblockRoutes {
    private UnblockRoutes() {
    }

    /** The technician's two answers, as the dashboard sends them. */
    enum Verdict {
        APPROVE("approve"), REFUSE("refuse");

        private final String wire;

        Verdict(String wire) {
            this.wire = wire;
        }

        static Optional<Verdict> of(String wire) {
            return Arrays.stream(values()).filter(v -> v.wire.equals(wire)).findFirst();
        }
    }

    /** POST /api/unblock-requests/{id}/decision: approve or refuse, and why (told to the teacher who asked). */
    record DecisionRequest(Verdict verdict, String reason) {
        static DecisionRequest from(JsonNode body) {
            Verdict verdict = Verdict.of(body.path("decision").asText(""))
                    .orElseThrow(() -> new IllegalArgumentException("field 'decision' must be approve or refuse"));
            // As given: decide strips it.
            return new DecisionRequest(verdict, UnblockRequests.requireDecisionReason(body.path("reason").asText("")));
        }

        boolean approve() {
            return verdict == Verdict.APPROVE;
        }
    }

    public static void mount(JavalinConfig config, UnblockRequests requests, LiveFeed feed) {
        config.routes.post("/api/unblock-requests", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            UnblockRequests.Request made = requests.request(UnblockRequests.Asked.from(Json.parse(ctx.bodyAsBytes())), who);
            feed.unblockRequestChanged(made, requests.now());
            ctx.status(201);
            Web.json(ctx, made.body(requests.now()));
        }, RouteAccess.of(Permission.REQUEST_UNBLOCK));
        config.routes.post("/api/unblock-requests/{id}/decision", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("id"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("request id must be a number");
            }
            DecisionRequest request = DecisionRequest.from(Json.parse(ctx.bodyAsBytes()));
            UnblockRequests.Decision result = requests.decide(id, request.approve(), request.reason(), who);
            switch (result.outcome()) {
                case DECIDED -> {
                    feed.unblockRequestChanged(result.request().orElseThrow(), requests.now());
                    Web.json(ctx, result.request().orElseThrow().body(requests.now()));
                }
                case NO_SUCH_REQUEST -> ctx.status(404).result("no unblock request with id " + id);
                case ALREADY_DECIDED -> ctx.status(409).result("this request is already " + result.request().orElseThrow().status());
                case PERIOD_OVER -> ctx.status(409).result("the requested period is over; the teacher can make a new request");
            }
        }, RouteAccess.of(Permission.DECIDE_UNBLOCK));
        config.routes.get("/api/unblock-requests", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            var now = requests.now();
            Web.json(ctx, requests.list(who).stream().map(r -> r.body(now)).toList());
        }, RouteAccess.of(Permission.VIEW_UNBLOCK_REQUESTS));
    }
}
