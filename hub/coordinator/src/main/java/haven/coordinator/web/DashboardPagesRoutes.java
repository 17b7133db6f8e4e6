package haven.coordinator.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Incident;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.RoomNames;
import haven.coordinator.StaffSession;
import haven.coordinator.Visibility;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.time.Instant;
import java.util.ArrayList;
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

    /**
     * GET /api/incident-search: the incidents found, each as {@link Incident#viewFor} draws it for the viewer (a tree
     * that Incident owns, with the room's display name added), and the limit the search stops at.
     */
    record SearchBody(List<ObjectNode> incidents, int limit) {
    }

    /** GET /api/status: whether the broker link is up, and when the coordinator started. */
    record StatusBody(String broker, Instant startedAt) {
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
            List<ObjectNode> shown = new ArrayList<>();
            for (Incident i : found) {
                if (needsDetail && !Visibility.fullDetail(i, who)) {
                    continue;
                }
                i.viewFor(who).ifPresent(view -> shown.add(view.put("roomName", names.of(i.room().room()))));
            }
            Web.json(ctx, new SearchBody(shown, SEARCH_LIMIT));
        }, RouteAccess.of(Permission.VIEW_INCIDENTS));
        // {room: display name}: a map, since its keys are the school's room ids.
        config.routes.get("/api/room-names", ctx -> Web.json(ctx, names.byRoom()), RouteAccess.SIGNED_IN);
        config.routes.get("/api/status", ctx -> Web.json(ctx, new StatusBody(brokerConnected.getAsBoolean() ? "connected" : "disconnected",
                startedAt)), RouteAccess.SIGNED_IN);
    }

    private static String param(io.javalin.http.Context ctx, String name, String fallback) {
        return Optional.ofNullable(ctx.queryParam(name)).map(String::strip).orElse(fallback);
    }
}
