package haven.classroom.gpio;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DebouncerTest {

    @Test
    void firstEdgeOfAPressCountsAtOnce() {
        assertTrue(new Debouncer(50).accept(1_000));
    }

    @Test
    void contactChatterInsideTheWindowIsIgnored() {
        Debouncer d = new Debouncer(50);
        assertTrue(d.accept(1_000));
        assertFalse(d.accept(1_002));
        assertFalse(d.accept(1_010));
        assertFalse(d.accept(1_055), "chatter restarts the window: 45 ms after the last bounce is still bounce");
    }

    @Test
    void anEdgeAfterAQuietWindowCounts() {
        Debouncer d = new Debouncer(50);
        d.accept(1_000);
        d.accept(1_005);
        assertTrue(d.accept(1_055));
    }

    @Test
    void bounceRightAfterReleaseDoesNotBecomeASecondPress() {
        Debouncer d = new Debouncer(50);
        assertTrue(d.accept(0));      // press
        assertTrue(d.accept(200));    // release (a real edge, the caller ignores rising edges)
        assertFalse(d.accept(203));   // release bounce, falling again
    }

    @Test
    void unreasonableWindowsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Debouncer(-1));
        assertThrows(IllegalArgumentException.class, () -> new Debouncer(5_000));
    }
}
