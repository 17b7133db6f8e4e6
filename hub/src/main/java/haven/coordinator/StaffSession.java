package haven.coordinator;

import java.time.Instant;

/** A logged-in member of staff. The token is the cookie; the CSRF token must come back in a header. */
public record StaffSession(String token, String name, Role role, String csrf, Instant expires) {
}
