package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Permission;
import haven.coordinator.Role;
import haven.coordinator.StaffAccounts;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.RoomId;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The staff page (docs/DASHBOARD.md): the coordinator lists, adds and disables accounts and changes their role
 * or rooms, as `haven user` does on the shell. Every change is one chained record ({@link StaffAccounts}); the
 * changed account's sessions end at once because its standing stamp changes. Adding never changes an existing
 * account (409): `haven user add` once silently changed the role of a name that was taken.
 */
public final class StaffRoutes {
    private static final int MAX_ROOMS = 200;

    private final StaffAccounts staff;
    private final AuditLog audit;

    /**
     * POST /api/staff: a new account. The password is a char array so the route can blank it once the account holds
     * its hash; a record's toString never shows it (an array prints as its identity).
     */
    record AddRequest(String name, Role role, Set<RoomId> rooms, char[] password) {
        static AddRequest from(JsonNode body) {
            String name = nameOf(body);
            Role role = roleOf(body);
            Set<RoomId> rooms = roomsOf(body);
            String password = body.path("password").asText("");
            if (password.isEmpty()) {
                throw new IllegalArgumentException("password: give an initial password");
            }
            if (password.length() > RequestLimits.MAX_PASSWORD) {
                throw new IllegalArgumentException("password must be at most " + RequestLimits.MAX_PASSWORD + " characters");
            }
            return new AddRequest(name, role, rooms, password.toCharArray());
        }
    }

    /** POST /api/staff/role: the account and its new role. */
    record RoleRequest(String name, Role role) {
        static RoleRequest from(JsonNode body) {
            String name = nameOf(body);
            return new RoleRequest(name, roleOf(body));
        }
    }

    /** POST /api/staff/rooms: the account and the whole new set of rooms it looks after. */
    record RoomsRequest(String name, Set<RoomId> rooms) {
        static RoomsRequest from(JsonNode body) {
            String name = nameOf(body);
            return new RoomsRequest(name, roomsOf(body));
        }
    }

    /** POST /api/staff/disable: the account to disable. */
    record DisableRequest(String name) {
        static DisableRequest from(JsonNode body) {
            return new DisableRequest(nameOf(body));
        }
    }

    /** GET /api/staff: every account, and the roles the page offers. */
    record StaffBody(List<StaffAccounts.Account.Row> accounts, List<String> roles) {
    }

    public StaffRoutes(StaffAccounts staff, AuditLog audit) {
        this.staff = staff;
        this.audit = audit;
    }

    public void mount(JavalinConfig config) {
        RouteAccess manage = RouteAccess.of(Permission.MANAGE_STAFF);
        config.routes.get("/api/staff", this::list, manage);
        config.routes.post("/api/staff", this::add, manage);
        config.routes.post("/api/staff/role", this::role, manage);
        config.routes.post("/api/staff/rooms", this::rooms, manage);
        config.routes.post("/api/staff/disable", this::disable, manage);
    }

    private void list(Context ctx) throws Exception {
        StaffSession who = Web.staff(ctx);
        List<StaffAccounts.Account.Row> rows = staff.list().stream().map(StaffAccounts.Account::body).toList();
        audit.record(who.name(), "view-staff", "accounts=" + rows.size());
        Web.json(ctx, new StaffBody(rows, Arrays.stream(Role.values()).map(Role::wire).toList()));
    }

    private void add(Context ctx) throws Exception {
        StaffSession who = Web.staff(ctx);
        AddRequest request = AddRequest.from(CaseRoutes.body(ctx));
        String name = request.name();
        char[] chars = request.password();
        try {
            if (refused(ctx, who, "staff-add", name, () -> staff.add(who.name(), name, request.role(), request.rooms(), chars))) {
                return;
            }
        } finally {
            Arrays.fill(chars, ' ');
        }
        ctx.status(201);
        answer(ctx, name);
    }

    private void role(Context ctx) throws Exception {
        StaffSession who = Web.staff(ctx);
        RoleRequest request = RoleRequest.from(CaseRoutes.body(ctx));
        String name = request.name();
        Role role = request.role();
        if (!refused(ctx, who, "staff-role", name + " role=" + role.wire(), () -> staff.changeRole(who.name(), name, role))) {
            answer(ctx, name);
        }
    }

    private void rooms(Context ctx) throws Exception {
        StaffSession who = Web.staff(ctx);
        RoomsRequest request = RoomsRequest.from(CaseRoutes.body(ctx));
        String name = request.name();
        Set<RoomId> rooms = request.rooms();
        if (!refused(ctx, who, "staff-rooms", name + " rooms=" + rooms.size(), () -> staff.changeRooms(who.name(), name, rooms))) {
            answer(ctx, name);
        }
    }

    private void disable(Context ctx) throws Exception {
        StaffSession who = Web.staff(ctx);
        String name = DisableRequest.from(CaseRoutes.body(ctx)).name();
        if (!refused(ctx, who, "staff-disable", name, () -> staff.disable(who.name(), name))) {
            answer(ctx, name);
        }
    }

    private interface Change {
        void run() throws Exception;
    }

    /** Runs a change and audits it; a refusal by the account rules is a 409 with the reason, audited as one. */
    private boolean refused(Context ctx, StaffSession who, String action, String target, Change change) throws Exception {
        try {
            change.run();
        } catch (StaffAccounts.Refused e) {
            audit.record(who.name(), action + "-refused", target);
            ctx.status(409).result(e.getMessage());
            return true;
        }
        audit.record(who.name(), action, target);
        return false;
    }

    private void answer(Context ctx, String name) throws Exception {
        StaffAccounts.Account account = staff.list().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
        Web.json(ctx, account.body());
    }

    private static String nameOf(JsonNode body) {
        return CaseRoutes.required(body, "name", RequestLimits.MAX_NAME);
    }

    private static Role roleOf(JsonNode body) {
        String text = body.path("role").asText("");
        return Role.fromWire(text).orElseThrow(() -> new IllegalArgumentException("role must be one of "
                + Arrays.stream(Role.values()).map(Role::wire).toList()));
    }

    private static Set<RoomId> roomsOf(JsonNode body) {
        JsonNode list = body.path("rooms");
        if (!list.isMissingNode() && !list.isArray()) {
            throw new IllegalArgumentException("rooms must be a list of \"site/room\"");
        }
        if (list.size() > MAX_ROOMS) {
            throw new IllegalArgumentException("rooms: at most " + MAX_ROOMS);
        }
        Set<RoomId> out = new HashSet<>();
        for (JsonNode r : list) {
            String[] parts = r.asText("").split("/", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("rooms: each must be \"site/room\"");
            }
            out.add(new RoomId(parts[0], parts[1]));
        }
        return out;
    }
}
