package haven.notify;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.DashboardServer;
import haven.coordinator.StaffSession;
import haven.protocol.Json;
import io.javalin.config.JavalinConfig;

/**
 * The dashboard's side of Web Push: the public key a browser subscribes with, and storing the subscription
 * for the logged-in member of staff (the dashboard's login and CSRF checks cover /api/*).
 */
final class PushRoutes {
    private final PushSubscriptions subscriptions;

    PushRoutes(PushSubscriptions subscriptions) {
        this.subscriptions = subscriptions;
    }

    void routes(JavalinConfig config) {
        config.routes.get("/api/push/key", ctx -> ctx.contentType("application/json")
                .result(Json.write(Json.object().put("publicKey", WebPush.base64Url(subscriptions.keys().publicKey())))));
        config.routes.post("/api/push/subscriptions", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            JsonNode body = Json.parse(ctx.bodyAsBytes());
            subscriptions.subscribe(who.name(), body.path("endpoint").asText(""), body.path("keys").path("p256dh").asText(""),
                    body.path("keys").path("auth").asText(""));
            ctx.status(201).result("subscribed");
        });
    }
}
