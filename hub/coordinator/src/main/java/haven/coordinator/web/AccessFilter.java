package haven.coordinator.web;

import haven.coordinator.Permissions;
import haven.coordinator.Sessions;
import haven.coordinator.StaffAccounts;
import haven.coordinator.StaffAupAcceptances;
import haven.coordinator.StaffSession;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The dashboard's one access check, run before every matched route: the route's declared
 * {@link RouteAccess}, a live session, the CSRF header on every state change, and an account that is
 * still enabled with the role, rooms and password the session was granted against. The account is read
 * again on every request because `haven user` changes it from another process (docs/SECURITY.md).
 * A route under /api/ that declares nothing is refused: forgetting a declaration fails closed. Last, a
 * member of staff who logged in while a Staff AUP version they had not accepted was in force may only read
 * it, accept it and log out: everything else answers 403 {@value #STAFF_AUP_REFUSAL} (docs/DASHBOARD.md).
 */
public final class AccessFilter {
    static final String STAFF = "staff";
    /** The code of the Staff AUP refusal: the body starts with it and the {@value #REFUSAL_HEADER} header carries it. */
    static final String STAFF_AUP_REFUSAL = "staff-aup-not-accepted";
    static final String REFUSAL_HEADER = "Haven-Refusal";

    private final Sessions sessions;
    private final StaffAccounts staff;
    private final StaffAupAcceptances staffAup;

    public AccessFilter(Sessions sessions, StaffAccounts staff, StaffAupAcceptances staffAup) {
        this.sessions = sessions;
        this.staff = staff;
        this.staffAup = staffAup;
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
        if (!access.get().beforeStaffAup()) {
            OptionalInt outstanding = staffAupOutstanding(who.get());
            if (outstanding.isPresent()) {
                ctx.header(REFUSAL_HEADER, STAFF_AUP_REFUSAL);
                refuse(ctx, 403, STAFF_AUP_REFUSAL + ": read and accept the Staff Acceptable Use Policy (version "
                        + outstanding.getAsInt() + ") first: GET /api/aups/staff, then POST /api/aups/staff/accept");
                return;
            }
        }
        ctx.attribute(STAFF, who.get());
    }

    /**
     * The Staff AUP version this session must still accept, if any: the one in force when it logged in, unless
     * that or a later version has been accepted since (from this session or another).
     */
    public OptionalInt staffAupOutstanding(StaffSession who) throws SQLException {
        OptionalInt required = sessions.staffAupAtLogin(who.token());
        if (required.isEmpty() || !Permissions.asksStaffAup(who.role())) {
            return OptionalInt.empty();
        }
        if (staffAup.accepted(who.name(), required.getAsInt())) {
            sessions.staffAupAccepted(who.token());
            return OptionalInt.empty();
        }
        return required;
    }

    /** At login: remembers the Staff AUP version this member of staff has yet to accept, if there is one. */
    void askStaffAupOf(StaffSession who) throws SQLException {
        if (!Permissions.asksStaffAup(who.role())) {
            return;
        }
        OptionalInt current = staffAup.currentVersion();
        if (current.isPresent() && !staffAup.accepted(who.name(), current.getAsInt())) {
            sessions.staffAupAtLogin(who.token(), current.getAsInt());
        }
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
