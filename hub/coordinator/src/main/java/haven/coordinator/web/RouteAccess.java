package haven.coordinator.web;

import haven.coordinator.Permission;
import io.javalin.security.RouteRole;
import java.util.Optional;

/**
 * What a dashboard route needs, declared where the route is mounted and enforced by {@link AccessFilter}:
 * nothing (login, first-run setup, health), a signed-in member of staff, or one {@link Permission}.
 * {@code beforeStaffAup} marks the few signed-in routes a session may use before it has accepted the Staff
 * AUP it logged in under (reading it, accepting it, logging out); every other route waits for acceptance.
 */
public record RouteAccess(boolean signedIn, Optional<Permission> permission, boolean beforeStaffAup) implements RouteRole {
    public static final RouteAccess PUBLIC = new RouteAccess(false, Optional.empty(), true);
    public static final RouteAccess SIGNED_IN = new RouteAccess(true, Optional.empty(), false);
    /** Signed in, and open before the Staff AUP is accepted. */
    public static final RouteAccess SIGNED_IN_BEFORE_STAFF_AUP = new RouteAccess(true, Optional.empty(), true);

    public static RouteAccess of(Permission permission) {
        return new RouteAccess(true, Optional.of(permission), false);
    }

    /** As the route-walk test and the error text name it. */
    public String describe() {
        return permission.map(Permission::wire).orElse(signedIn ? "signed-in" : "public");
    }
}
