package haven.coordinator;

import java.time.Instant;
import java.util.Objects;

/**
 * One member of staff approving the release of an isolated machine on the dashboard.
 *
 * @param staffName the staff account name (compared without regard to case or surrounding spaces)
 * @param role      the account's role as on the wire: senior, coordinator, head, teacher, technician, governor
 * @param at        when they signed
 */
public record SignOff(String staffName, String role, Instant at) {
    public SignOff {
        if (staffName == null || staffName.isBlank() || staffName.length() > 64) {
            throw new IllegalArgumentException("sign-off staffName must be 1..64 characters, got '" + staffName + "'");
        }
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("sign-off by " + staffName + ": role must be given");
        }
        Objects.requireNonNull(at, "sign-off at");
    }
}
