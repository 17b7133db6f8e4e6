package haven.coordinator.web;

import haven.coordinator.Permission;
import io.javalin.security.RouteRole;
import java.util.Optional;

/**
 * What a dashboard route needs, declared where the route is mounted and enforced by {@link AccessFilter}:
 * nothing (login, first-run setup, health), a signed-in member of staff, or one {@link Permission}.
 */
public record RouteAccess(boolean signedIn, Optional<Permission> permission) implements RouteRole {
    public static final RouteAccess PUBLIC = new RouteAccess(false, Optional.empty());
    public static final RouteAccess SIGNED_IN = new RouteAccess(true, Optional.empty());

    public static RouteAccess of(Permission permission) {
        return new RouteAccess(true, Optional.of(permission));
    }

    /** As the route-walk test and the error text name it. */
    public String describe() {
        return permission.map(Permission::wire).orElse(signedIn ? "signed-in" : "public");
    }
}
