package haven.coordinator.web;

import haven.coordinator.notify.PushSubscriptions;
import haven.coordinator.notify.WebPush;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.web.DashboardServer;
import haven.coordinator.StaffSession;
import haven.coordinator.Permission;
import haven.protocol.Json;
import io.javalin.config.JavalinConfig;

/**
 * The dashboard's side of Web Push: the public key a browser subscribes with (null when notify.push is not
 * configured, so the page hides its button without an error), and storing the subscription for the
 * logged-in member of staff (the dashboard's login and CSRF checks cover /api/*).
 */
public final class PushRoutes {
    private PushRoutes() {
    }

    /**
     * POST /api/push/subscriptions: the browser's PushSubscription as JSON (endpoint, keys.p256dh, keys.auth).
     * {@link PushSubscriptions#subscribe} checks each (an https:// push service, base64url keys) and names the field.
     */
    record SubscriptionRequest(String endpoint, String p256dh, String auth) {
        static SubscriptionRequest from(JsonNode body) {
            JsonNode keys = body.path("keys");
            return new SubscriptionRequest(body.path("endpoint").asText(""), keys.path("p256dh").asText(""), keys.path("auth").asText(""));
        }
    }

    /** GET /api/push/key: the key a browser subscribes with, or null when notify.push is not configured. */
    record KeyBody(String publicKey) {
    }

    public static void mount(JavalinConfig config, java.util.Optional<PushSubscriptions> push) {
        if (push.isEmpty()) {
            config.routes.get("/api/push/key", ctx -> Web.json(ctx, new KeyBody(null)), RouteAccess.of(Permission.SUBSCRIBE_ALERTS));
            return;
        }
        PushSubscriptions subscriptions = push.get();
        config.routes.get("/api/push/key", ctx -> Web.json(ctx, new KeyBody(WebPush.base64Url(subscriptions.keys().publicKey()))),
                RouteAccess.of(Permission.SUBSCRIBE_ALERTS));
        config.routes.post("/api/push/subscriptions", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            SubscriptionRequest request = SubscriptionRequest.from(Json.parse(ctx.bodyAsBytes()));
            subscriptions.subscribe(who.name(), request.endpoint(), request.p256dh(), request.auth());
            ctx.status(201).result("subscribed");
        }, RouteAccess.of(Permission.SUBSCRIBE_ALERTS));
    }
}
