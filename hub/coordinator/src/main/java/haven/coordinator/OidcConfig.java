package haven.coordinator;

import haven.config.ConfigFile;
import java.net.URI;
import java.util.Optional;

/**
 * coordinator.yaml's `auth.oidc`: signing in with the school's Microsoft 365 or Google Workspace account
 * (OpenID Connect). Absent means the feature is off. {@code claim} names the ID token claim ({@code email} by
 * default, or {@code preferred_username}) that holds the school address {@code name@domain}; {@code name} must be an
 * existing, enabled Haven account (Haven names have no @, so the domain is configured, never taken from the token).
 */
public record OidcConfig(URI issuer, String clientId, String clientSecret, URI redirectUri, String claim, String domain) {
    public OidcConfig {
        if (!claim.equals("email") && !claim.equals("preferred_username")) {
            throw new IllegalArgumentException("claim must be email or preferred_username");
        }
        domain = domain.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The Haven account name a school address stands for: {@code name@domain} with exactly the configured domain
     * (any case) stands for the account {@code name} (lower case); any other address stands for none.
     */
    public Optional<String> accountName(String address) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || !address.substring(at + 1).toLowerCase(java.util.Locale.ROOT).equals(domain)) {
            return Optional.empty();
        }
        return Optional.of(address.substring(0, at).toLowerCase(java.util.Locale.ROOT));
    }

    static Optional<OidcConfig> from(ConfigFile file) {
        var node = file.node("auth.oidc");
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        String issuer = required(file, "issuer");
        String clientId = required(file, "clientId");
        String secret = required(file, "clientSecret");
        String redirect = required(file, "redirectUri");
        String domain = required(file, "domain");
        if (!domain.matches("[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")) {
            throw file.error("auth.oidc.domain", "the school's e-mail domain, like school.example.org");
        }
        String claim = file.node("auth.oidc.claim").asText("email");
        if (!claim.equals("email") && !claim.equals("preferred_username")) {
            throw file.error("auth.oidc.claim", "email or preferred_username");
        }
        URI issuerUri = file.checked("auth.oidc.issuer", () -> absolute(issuer));
        URI redirectUri = file.checked("auth.oidc.redirectUri", () -> absolute(redirect));
        return Optional.of(new OidcConfig(issuerUri, clientId, secret, redirectUri, claim, domain));
    }

    private static String required(ConfigFile file, String key) {
        String value = file.node("auth.oidc." + key).asText("").strip();
        if (value.isEmpty()) {
            throw file.error("auth.oidc." + key, "a value (auth.oidc needs issuer, clientId, clientSecret and redirectUri)");
        }
        return value;
    }

    private static URI absolute(String text) {
        URI uri = URI.create(text);
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("an http(s) address");
        }
        return uri;
    }

    /** Secrets never appear in logs or error messages. */
    @Override
    public String toString() {
        return "OidcConfig[issuer=" + issuer + ", clientId=" + clientId + ", redirectUri=" + redirectUri + ", claim=" + claim + ", domain=" + domain + "]";
    }
}
