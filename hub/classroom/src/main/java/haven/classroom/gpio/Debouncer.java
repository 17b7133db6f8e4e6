package haven.classroom.gpio;

/**
 * Contact debounce for a push button or key switch: an edge counts only when the line was quiet for the
 * whole window before it. The first edge of a press is taken at once (so the LED answers within
 * milliseconds), and the chatter after it, and after the release, resets the window and is ignored.
 */
public final class Debouncer {
    private final long windowMillis;
    private long lastEdgeMillis = Long.MIN_VALUE / 2;

    public Debouncer(long windowMillis) {
        if (windowMillis < 0 || windowMillis > 1000) {
            throw new IllegalArgumentException("debounce must be 0..1000 ms, got " + windowMillis);
        }
        this.windowMillis = windowMillis;
    }

    /** Records an edge seen at {@code nowMillis}; true when it is a real change rather than bounce. */
    public synchronized boolean accept(long nowMillis) {
        boolean quietBefore = nowMillis - lastEdgeMillis >= windowMillis;
        lastEdgeMillis = nowMillis;
        return quietBefore;
    }
}
