package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Permission;

import haven.coordinator.ButtonTests;
import haven.coordinator.CommandSender;
import haven.coordinator.Role;
import haven.coordinator.RoomHealth;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.protocol.RoomId;
import io.javalin.config.JavalinConfig;

/**
 * Button tests (drills) and hub health on the dashboard: put a room in test mode (the room's teacher, the
 * technician, the coordinator), each room's last successful test with the overdue flag, and each hub's health
 * with its clock skew (docs/FILTERING.md).
 */
public final class RoomChecksRoutes {
    static final int DEFAULT_MINUTES = 10;

    private RoomChecksRoutes() {
    }

    /** POST /api/rooms/{site}/{room}/test-mode: how long the room's next press counts as a test; no body means the default. */
    record TestModeRequest(int minutes) {
        static TestModeRequest from(JsonNode body) {
            // asInt as before: a value that is not a number falls back to the default rather than being refused.
            int minutes = body.path("minutes").asInt(DEFAULT_MINUTES);
            if (minutes < 1 || minutes > 60) {
                throw new IllegalArgumentException("field 'minutes' must be 1..60");
            }
            return new TestModeRequest(minutes);
        }
    }

    public static void mount(JavalinConfig config, ButtonTests tests, RoomHealth health, CommandSender commands, AuditLog audit) {
        config.routes.post("/api/rooms/{site}/{room}/test-mode", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            RoomId room = new RoomId(ctx.pathParam("site"), ctx.pathParam("room"));
            // TEST_BUTTON (the permission table) lets teachers in; they test the rooms they look after only.
            if (who.role() == Role.TEACHER && !who.rooms().contains(room)) {
                ctx.status(403).result("a teacher tests the button of their own rooms only");
                return;
            }
            int minutes = TestModeRequest.from(ctx.body().isBlank() ? Json.object() : Json.parse(ctx.bodyAsBytes())).minutes();
            audit.record(who.name(), "button-test-mode", "room=" + room + " minutes=" + minutes);
            boolean sent = commands.send(room, CommandName.TEST_MODE, who, Json.object().put("minutes", minutes));
            ctx.status(sent ? 202 : 503).result(sent ? "test mode on: the next press in " + minutes + " minutes is a test"
                    : "the broker is unreachable; try again");
        }, RouteAccess.of(Permission.TEST_BUTTON));
        config.routes.get("/api/button-tests", ctx -> Web.json(ctx, tests.list().stream().map(ButtonTests.Entry::body).toList()),
                RouteAccess.of(Permission.VIEW_ROOMS));
        config.routes.get("/api/hub-health", ctx -> Web.json(ctx, health.list().stream().map(RoomHealth.Entry::body).toList()),
                RouteAccess.of(Permission.VIEW_ROOMS));
    }
}
