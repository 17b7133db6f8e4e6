package haven.coordinator;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Staff sessions, in memory: a coordinator restart logs everyone out, which is the safe direction. */
public final class Sessions {
    private static final Duration LIFETIME = Duration.ofHours(10);

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, StaffSession> byToken = new ConcurrentHashMap<>();

    public Sessions(Clock clock) {
        this.clock = clock;
    }

    public StaffSession create(String name, Role role, java.util.Set<haven.protocol.RoomId> rooms) {
        StaffSession session = new StaffSession(token(), name, role, token(), clock.instant().plus(LIFETIME), rooms);
        byToken.put(session.token(), session);
        return session;
    }

    public Optional<StaffSession> find(String token) {
        if (token == null) {
            return Optional.empty();
        }
        StaffSession session = byToken.get(token);
        if (session == null) {
            return Optional.empty();
        }
        if (clock.instant().isAfter(session.expires())) {
            byToken.remove(token);
            return Optional.empty();
        }
        return Optional.of(session);
    }

    public void end(String token) {
        if (token != null) {
            byToken.remove(token);
        }
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
