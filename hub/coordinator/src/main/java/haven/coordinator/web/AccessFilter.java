package haven.coordinator.web;

import haven.coordinator.Permissions;
import haven.coordinator.Sessions;
import haven.coordinator.StaffAccounts;
import haven.coordinator.StaffSession;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The dashboard's one access check, run before every matched route: the route's declared
 * {@link RouteAccess}, a live session, the CSRF header on every state change, and an account that is
 * still enabled with the role, rooms and password the session was granted against. The account is read
 * again on every request because `haven user` changes it from another process (docs/SECURITY.md).
 * A route under /api/ that declares nothing is refused: forgetting a declaration fails closed.
 */
public final class AccessFilter {
    static final String STAFF = "staff";

    private final Sessions sessions;
    private final StaffAccounts staff;

    public AccessFilter(Sessions sessions, StaffAccounts staff) {
        this.sessions = sessions;
        this.staff = staff;
    }

    public void handle(Context ctx) throws SQLException {
        Optional<RouteAccess> access = ctx.routeRoles().stream().filter(RouteAccess.class::isInstance)
                .map(RouteAccess.class::cast).findFirst();
        if (access.isEmpty()) {
            if (ctx.path().startsWith("/api/")) {
                refuse(ctx, 403, "this route declares no permission");
            }
            return; // static files and /demo/ pages
        }
        if (!access.get().signedIn()) {
            return;
        }
        Optional<StaffSession> who = current(ctx.cookie(DashboardServer.COOKIE));
        if (who.isEmpty()) {
            refuse(ctx, 401, "login required");
            return;
        }
        if (!ctx.method().name().equals("GET") && !who.get().csrf().equals(ctx.header(DashboardServer.CSRF_HEADER))) {
            refuse(ctx, 403, "missing or wrong " + DashboardServer.CSRF_HEADER + " header");
            return;
        }
        if (access.get().permission().isPresent() && !Permissions.allows(who.get().role(), access.get().permission().get())) {
            refuse(ctx, 403, "your role (" + who.get().role().wire() + ") does not have " + access.get().describe());
            return;
        }
        ctx.attribute(STAFF, who.get());
    }

    /**
     * The session behind a cookie, if it is still valid: not expired, not logged out, and its account
     * unchanged since login. A session whose account changed is ended here, so it stays ended.
     */
    public Optional<StaffSession> current(String token) throws SQLException {
        Optional<StaffSession> session = sessions.find(token);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        Optional<StaffAccounts.Standing> standing = staff.standing(session.get().name());
        if (standing.isEmpty() || !sessions.stamp(token).equals(Optional.of(standing.get().stamp()))) {
            sessions.end(token);
            return Optional.empty();
        }
        return session;
    }

    private static void refuse(Context ctx, int status, String why) {
        ctx.skipRemainingHandlers();
        ctx.status(status).result(why);
    }
}
