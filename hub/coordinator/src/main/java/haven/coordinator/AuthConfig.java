package haven.coordinator;

import haven.config.ConfigFile;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * coordinator.yaml's `auth.requireTotpFor` (the roles that must give a second factor at login; by default the
 * ones that see every incident), `auth.oidc` (single sign-on, {@link OidcConfig}) and `http.trustedProxies` (the reverse proxies whose X-Forwarded-For is believed).
 */
public record AuthConfig(Set<Role> requireTotpFor, List<String> trustedProxies, java.util.Optional<OidcConfig> oidc) {
    public static final Set<Role> DEFAULT_TOTP = Set.copyOf(EnumSet.of(Role.COORDINATOR, Role.HEAD, Role.SENIOR));
    public static final AuthConfig DEFAULT = new AuthConfig(DEFAULT_TOTP, List.of(), java.util.Optional.empty());

    public AuthConfig {
        requireTotpFor = Set.copyOf(requireTotpFor);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** Without single sign-on (auth.oidc absent). */
    public AuthConfig(Set<Role> requireTotpFor, List<String> trustedProxies) {
        this(requireTotpFor, trustedProxies, java.util.Optional.empty());
    }

    /** True when a role that sees every incident may log in with a password alone (logged, and shown as a banner). */
    public boolean relaxed() {
        return !requireTotpFor.containsAll(DEFAULT_TOTP);
    }

    static AuthConfig from(ConfigFile file) {
        Set<Role> roles = DEFAULT_TOTP;
        var node = file.node("auth.requireTotpFor");
        if (!node.isMissingNode() && !node.isNull()) {
            if (!node.isArray()) {
                throw file.error("auth.requireTotpFor", "a list of roles (coordinator, head, senior, teacher, technician, governor)");
            }
            EnumSet<Role> set = EnumSet.noneOf(Role.class);
            for (var r : node) {
                set.add(Role.fromWire(r.asText("")).orElseThrow(() -> file.error("auth.requireTotpFor",
                        "a list of roles (coordinator, head, senior, teacher, technician, governor)")));
            }
            roles = set;
        }
        List<String> proxies = new java.util.ArrayList<>();
        var p = file.node("http.trustedProxies");
        if (!p.isMissingNode() && !p.isNull()) {
            if (!p.isArray()) {
                throw file.error("http.trustedProxies", "a list of addresses or CIDR ranges, like [127.0.0.1, 10.0.0.0/8]");
            }
            for (var a : p) {
                String text = a.asText("");
                file.checked("http.trustedProxies", () -> TrustedProxies.parse(List.of(text)));
                proxies.add(text);
            }
        }
        return new AuthConfig(roles, proxies, OidcConfig.from(file));
    }
}
