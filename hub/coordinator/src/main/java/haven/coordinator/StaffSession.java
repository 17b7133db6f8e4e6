package haven.coordinator;

import haven.protocol.RoomId;
import java.time.Instant;
import java.util.Set;

/**
 * A logged-in member of staff. The token is the cookie; the CSRF token must come back in a header.
 * {@code rooms} are the classrooms a teacher looks after (empty for other roles).
 */
public record StaffSession(String token, String name, Role role, String csrf, Instant expires, Set<RoomId> rooms) {
    public StaffSession {
        rooms = Set.copyOf(rooms);
    }
}
