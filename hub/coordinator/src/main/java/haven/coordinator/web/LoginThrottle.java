package haven.coordinator.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How many password guesses a login may have. Every attempt is counted, atomically and before the password is
 * checked, so thirty guesses sent at the same moment are thirty attempts, not five finished failures and
 * twenty-five checked in the gap. Three counters, each bounded in memory (Caffeine, least recently used out):
 * one name from one client (5 per window), one client across names (20: spraying names), one name across
 * clients (50: guessing from many addresses, without one address locking the DSL out). Each time a counter
 * runs out its next window is twice as long (5, 10, 20 ... at most 80 minutes): the delay increases.
 * A successful login clears only its own name-and-client counter.
 */
final class LoginThrottle {
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final int PER_NAME_AND_CLIENT = 5;
    static final int PER_CLIENT = 20;
    static final int PER_NAME = 50;
    private static final int MAX_DOUBLINGS = 4;
    private static final long MAX_KEYS = 20_000;

    private record Window(Instant start, Duration length, int attempts, int doublings) {
        boolean over(Instant now) {
            return !now.isBefore(start.plus(length));
        }
    }

    private final Clock clock;
    private final Cache<String, Window> nameAndClient = cache();
    private final Cache<String, Window> clients = cache();
    private final Cache<String, Window> names = cache();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    private static Cache<String, Window> cache() {
        // Idle entries go after the longest window; the size bound keeps a flood of names from growing memory.
        return Caffeine.newBuilder().maximumSize(MAX_KEYS).expireAfterAccess(WINDOW.multipliedBy(1L << MAX_DOUBLINGS)).build();
    }

    /** Counts one attempt; empty when it may go on to the password check, else how long to wait. */
    Optional<Duration> attempt(String name, String client) {
        Instant now = clock.instant();
        // All three are counted even when one refuses, so a refused burst still uses up its windows.
        Optional<Duration> a = count(nameAndClient, name + "|" + client, PER_NAME_AND_CLIENT, now);
        Optional<Duration> b = count(clients, client, PER_CLIENT, now);
        Optional<Duration> c = count(names, name, PER_NAME, now);
        return a.or(() -> b).or(() -> c);
    }

    /** After a login that succeeded: that person on that machine starts afresh. */
    void succeeded(String name, String client) {
        nameAndClient.invalidate(name + "|" + client);
    }

    private static Optional<Duration> count(Cache<String, Window> cache, String key, int limit, Instant now) {
        Window w = cache.asMap().compute(key, (k, old) -> {
            if (old == null) {
                return new Window(now, WINDOW, 1, 0);
            }
            if (old.over(now)) {
                // A window that ran out doubles the next one; a quiet one starts again at five minutes.
                int doublings = old.attempts() > limit ? Math.min(old.doublings() + 1, MAX_DOUBLINGS) : 0;
                return new Window(now, WINDOW.multipliedBy(1L << doublings), 1, doublings);
            }
            return new Window(old.start(), old.length(), old.attempts() + 1, old.doublings());
        });
        if (w.attempts() <= limit) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, w.start().plus(w.length())));
    }
}
