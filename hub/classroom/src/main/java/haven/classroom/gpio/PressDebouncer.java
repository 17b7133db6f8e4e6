package haven.classroom.gpio;

/**
 * Debounce for the worry button, shaped by how children press: a fall of the line counts as a new press
 * only when the line had been up (released) for at least {@code releaseMillis} before it. The first fall
 * of a press is taken at once, so the LED answers within milliseconds.
 *
 * <p>Measuring the up-time, rather than the quiet time since any edge, is what tells a quick second
 * press from contact bounce: bounce is a few milliseconds of up between falls (mechanical contacts
 * settle in well under 10 ms), while a child re-pressing 30 ms after letting go has held the button up
 * for 30 ms. A held button that chatters (a worn contact, a wobbling hand) opens for a millisecond or two
 * and stays one press; mashing gives one press per real release, which the classroom joins into one
 * report with a press count.
 */
public final class PressDebouncer {
    /** What the debouncer made of one edge. */
    public enum Kind {
        /** A new press: the caller reports it. */
        PRESS,
        /** A fall after too short an up-time (contact bounce), or a repeated level: ignored. */
        BOUNCE,
        /** The line went up; counts towards the next press's up-time. */
        RELEASE
    }

    /**
     * One decision: {@code upMillis} is how long the line had been up before a fall (-1 for a release or
     * at start), {@code presses} how many presses this debouncer has counted so far.
     */
    public record Decision(Kind kind, long upMillis, long releaseMillis, long presses) {
        public boolean counted() {
            return kind == Kind.PRESS;
        }
    }

    private static final long NEVER = Long.MIN_VALUE / 2;

    private final long releaseMillis;
    private boolean lineDown;
    private long upSince = NEVER;
    private long presses;

    public PressDebouncer(long releaseMillis) {
        if (releaseMillis < 1 || releaseMillis > 200) {
            throw new IllegalArgumentException("gpio.buttonReleaseMillis must be 1..200 ms, got " + releaseMillis);
        }
        this.releaseMillis = releaseMillis;
    }

    /** Records an edge to {@code down} (line low) or up at {@code nowMillis}. The line is up at start. */
    public synchronized Decision edge(boolean down, long nowMillis) {
        if (down == lineDown) {
            return new Decision(Kind.BOUNCE, -1, releaseMillis, presses);
        }
        lineDown = down;
        if (!down) {
            upSince = nowMillis;
            return new Decision(Kind.RELEASE, -1, releaseMillis, presses);
        }
        long up = upSince == NEVER ? -1 : nowMillis - upSince;
        // A clock stepped back (negative up-time) errs towards reporting: a lost press is the worse mistake.
        if (up < 0 || up >= releaseMillis) {
            presses++;
            return new Decision(Kind.PRESS, up, releaseMillis, presses);
        }
        return new Decision(Kind.BOUNCE, up, releaseMillis, presses);
    }
}
