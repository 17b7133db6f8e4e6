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
    private final Map<String, String> stampByToken = new ConcurrentHashMap<>();
    private final Map<String, Integer> staffAupByToken = new ConcurrentHashMap<>();

    public Sessions(Clock clock) {
        this.clock = clock;
    }

    public StaffSession create(String name, Role role, java.util.Set<haven.protocol.RoomId> rooms) {
        StaffSession session = new StaffSession(token(), name, role, token(), clock.instant().plus(LIFETIME), rooms);
        byToken.put(session.token(), session);
        return session;
    }

    /** A session granted against an account's standing; it ends when the standing changes (see {@link #stamp}). */
    public StaffSession create(String name, StaffAccounts.Standing standing) {
        StaffSession session = create(name, standing.role(), standing.rooms());
        stampByToken.put(session.token(), standing.stamp());
        return session;
    }

    /** The account stamp a session was granted against, if it was made from a standing. */
    public Optional<String> stamp(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(stampByToken.get(token));
    }

    /**
     * The Staff AUP version this session logged in under without having accepted it: the session may read and
     * accept it, and log out, until it is accepted. Set at login only: a version published while staff are
     * signed in is asked at their next login, never in the middle of an incident.
     */
    public void staffAupAtLogin(String token, int version) {
        staffAupByToken.put(token, version);
    }

    /** The version set by {@link #staffAupAtLogin(String, int)}, until {@link #staffAupAccepted}. */
    public java.util.OptionalInt staffAupAtLogin(String token) {
        Integer version = token == null ? null : staffAupByToken.get(token);
        return version == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(version);
    }

    /** The session's Staff AUP is accepted: it is no longer asked, nor read again on each request. */
    public void staffAupAccepted(String token) {
        if (token != null) {
            staffAupByToken.remove(token);
        }
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
            end(token);
            return Optional.empty();
        }
        return Optional.of(session);
    }

    public void end(String token) {
        if (token != null) {
            byToken.remove(token);
            stampByToken.remove(token);
            staffAupByToken.remove(token);
        }
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
