package haven.classroom;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Test mode of the worry button (a drill): armed from the dashboard for a window, used up by the next press.
 * Held by {@link Classroom} under its own lock. A test press is never a worry: it opens no report, so no
 * incident and no alert, and the kiosk says it was a test so no child thinks a real report went unheard.
 */
final class ButtonTest {
    /** How long the kiosk says "this was a test". */
    static final Duration SCREEN = Duration.ofSeconds(15);
    static final int MAX_MINUTES = 60;

    private Instant armedUntil;
    private String armedBy;
    private Instant shownAt;

    void arm(Instant now, int minutes, String by) {
        if (minutes < 1 || minutes > MAX_MINUTES) {
            throw new IllegalArgumentException("test-mode minutes must be 1.." + MAX_MINUTES + ", got " + minutes);
        }
        armedUntil = now.plus(Duration.ofMinutes(minutes));
        armedBy = by;
    }

    /** Who armed it, if a press now is a test; the arming is used up. */
    Optional<String> consume(Instant now) {
        if (armedUntil == null || now.isAfter(armedUntil)) {
            armedUntil = null;
            return Optional.empty();
        }
        String by = armedBy;
        armedUntil = null;
        armedBy = null;
        shownAt = now;
        return Optional.of(by);
    }

    boolean armed(Instant now) {
        return armedUntil != null && !now.isAfter(armedUntil);
    }

    long screenRemainingMillis(Instant now) {
        return shownAt == null ? 0 : Math.max(0, SCREEN.minus(Duration.between(shownAt, now)).toMillis());
    }

    /** A real press ends the test screen at once. */
    void clearScreen() {
        shownAt = null;
    }
}
