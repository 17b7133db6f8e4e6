package haven.coordinator.web;

import haven.coordinator.Incident;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.RoomNames;
import haven.coordinator.StaffSession;
import haven.coordinator.Visibility;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the dashboard's pages need besides the live feed (docs/DASHBOARD.md): the list of past and present
 * incidents with its filters and search (audited like the open list), the classrooms' display names, and
 * the coordinator's own state, so the page can say when the broker link is down or the coordinator restarted.
 */
public final class DashboardPagesRoutes {
    static final int SEARCH_LIMIT = 200;

    private DashboardPagesRoutes() {
    }

    public static void mount(JavalinConfig config, Database db, Incidents incidents, AuditLog audit, RoomNames names,
                             BooleanSupplier brokerConnected, Instant startedAt) {
        config.routes.get("/api/incident-search", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Incidents.Search search = new Incidents.Search(param(ctx, "status", "all"), param(ctx, "room", ""),
                    param(ctx, "category", ""), param(ctx, "source", ""), param(ctx, "q", ""), SEARCH_LIMIT);
            // A filter on what a redacted row hides (its category, its notes) would tell by the row's presence
            // what the redaction keeps back: such a search returns only incidents the viewer may see in full.
            boolean needsDetail = !search.category().isEmpty() || !search.text().isBlank();
            List<Incident> found = db.transaction(c -> {
                audit.record(c, who.name(), "search-incidents", "status=" + search.status() + " room=" + search.room()
                        + " category=" + search.category() + " source=" + search.source() + " q=" + search.text().strip());
                return incidents.search(c, search);
            });
            var out = Json.object();
            var arr = out.putArray("incidents");
            for (Incident i : found) {
                if (needsDetail && !Visibility.fullDetail(i, who)) {
                    continue;
                }
                i.viewFor(who).ifPresent(view -> {
                    view.put("roomName", names.of(i.room().room()));
                    arr.add(view);
                });
            }
            out.put("limit", SEARCH_LIMIT);
            ctx.contentType("application/json").result(Json.write(out));
        }, RouteAccess.of(Permission.VIEW_INCIDENTS));
        config.routes.get("/api/room-names", ctx -> {
            var out = Json.object();
            names.byRoom().forEach(out::put);
            ctx.contentType("application/json").result(Json.write(out));
        }, RouteAccess.SIGNED_IN);
        config.routes.get("/api/status", ctx -> ctx.contentType("application/json").result(Json.write(Json.object()
                .put("broker", brokerConnected.getAsBoolean() ? "connected" : "disconnected")
                .put("startedAt", Json.time(startedAt)))), RouteAccess.SIGNED_IN);
    }

    private static String param(io.javalin.http.Context ctx, String name, String fallback) {
        return Optional.ofNullable(ctx.queryParam(name)).map(String::strip).orElse(fallback);
    }
}
