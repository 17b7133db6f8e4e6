package haven.coordinator.web;

import haven.coordinator.Permission;
import haven.coordinator.RoomView;
import haven.coordinator.Rooms;
import haven.metrics.HavenMetrics;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.util.List;
import java.util.Set;

/** What the technician's tools and the dashboard's room grid read: health, metrics, the rooms and their hubs. */
final class OpsRoutes {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "0:0:0:0:0:0:0:1", "::1");

    private final Database db;
    private final Rooms rooms;
    private final HavenMetrics metrics;

    /** GET /api/rooms: every classroom on the grid. */
    record RoomsBody(List<RoomView> rooms) {
    }

    OpsRoutes(Database db, Rooms rooms, HavenMetrics metrics) {
        this.db = db;
        this.rooms = rooms;
        this.metrics = metrics;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/health", ctx -> ctx.result("ok"), RouteAccess.PUBLIC);
        // Counts only, no pupil or incident data; still limited to this machine (scrape via a local agent).
        config.routes.get("/metrics", ctx -> {
            if (!LOOPBACK.contains(ctx.ip())) {
                ctx.status(403).result("metrics are served to this machine only");
                return;
            }
            ctx.contentType(HavenMetrics.CONTENT_TYPE).result(metrics.scrape());
        }, RouteAccess.PUBLIC);
        config.routes.get("/api/rooms", ctx -> {
            Web.json(ctx, new RoomsBody(db.query(rooms::list)));
        }, RouteAccess.of(Permission.VIEW_ROOMS));
    }
}
