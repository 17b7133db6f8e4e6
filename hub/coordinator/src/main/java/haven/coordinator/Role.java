package haven.coordinator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Staff roles, from the policies' duties. Only the headteacher sees concerns about an adult. The chair of
 * governors receives "any concern about staff misuse ... unless the concern is about the headteacher, in
 * which case ... the Chair of Governors and the LADO" (docs/CASEWORK.md).
 */
public enum Role {
    COORDINATOR, HEAD, SENIOR, TEACHER, TECHNICIAN, GOVERNOR, CHAIR;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWire(String text) {
        return Arrays.stream(values()).filter(r -> r.wire().equals(text)).findFirst();
    }

    public boolean canSeeAboutAnAdult() {
        return this == HEAD;
    }

    public boolean canAcknowledge() {
        return this == COORDINATOR || this == HEAD || this == SENIOR || this == TEACHER;
    }
}
