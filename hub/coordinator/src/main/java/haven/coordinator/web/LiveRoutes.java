package haven.coordinator.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.AupLibrary;
import haven.coordinator.Incidents;
import haven.coordinator.Isolations;
import haven.coordinator.Permission;
import haven.coordinator.Permissions;
import haven.coordinator.Rooms;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live view: a snapshot of the open incidents, rooms and isolations a member of staff may see, and the
 * WebSocket that keeps it current. Both are audited as reads of incident data.
 */
final class LiveRoutes {
    private static final Logger log = LoggerFactory.getLogger(LiveRoutes.class);

    private final Database db;
    private final Rooms rooms;
    private final Incidents incidents;
    private final Isolations isolations;
    private final AupLibrary aups;
    private final AuditLog audit;
    private final AccessFilter access;
    private final LiveFeed feed;

    LiveRoutes(Database db, Rooms rooms, Incidents incidents, Isolations isolations, AupLibrary aups, AuditLog audit,
               AccessFilter access, LiveFeed feed) {
        this.db = db;
        this.rooms = rooms;
        this.incidents = incidents;
        this.isolations = isolations;
        this.aups = aups;
        this.audit = audit;
        this.access = access;
        this.feed = feed;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/api/snapshot", ctx -> Web.json(ctx, snapshot(Web.staff(ctx), "snapshot")),
                RouteAccess.of(Permission.VIEW_LIVE));
        config.routes.ws("/ws", ws -> {
            ws.onConnect(ctx -> {
                Optional<StaffSession> who = access.current(ctx.cookie(DashboardServer.COOKIE));
                if (who.isEmpty() || !Permissions.allows(who.get().role(), Permission.VIEW_LIVE)
                        || !sameOrigin(ctx.header("Origin"), ctx.header("Host"))) {
                    ctx.closeSession(1008, "login required");
                    return;
                }
                if (access.staffAupOutstanding(who.get()).isPresent()) {
                    ctx.closeSession(1008, AccessFilter.STAFF_AUP_REFUSAL);
                    return;
                }
                long seqBefore = feed.seq();
                feed.join(ctx, who.get(), snapshot(who.get(), "live-view"));
                log.debug("dashboard joined staff={} seq={}", who.get().name(), seqBefore);
            });
            ws.onClose(feed::leave);
            ws.onError(feed::leave);
        }, RouteAccess.of(Permission.VIEW_LIVE));
    }

    private LiveFeed.Snapshot snapshot(StaffSession who, String auditAction) throws SQLException {
        ObjectNode aupVersions = AupRoutes.versions(aups);
        return db.transaction(c -> {
            audit.record(c, who.name(), auditAction, "open-incidents");
            return LiveFeed.snapshot(rooms.list(c), incidents.list(c, "open", i -> i.view(who).isPresent()), isolations.open(c), who,
                    aupVersions.get("latest"), feed.seq());
        });
    }

    /** Cross-site WebSocket hijacking guard: a browser always sends Origin on a WebSocket upgrade. */
    static boolean sameOrigin(String origin, String host) {
        if (origin == null) {
            return true; // not a browser (e.g. a test client or curl); the session cookie still applies
        }
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }
}
