package haven.classroom.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import haven.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Presses the way children press, through Pi4J's mock input exactly as a real edge arrives: the line
 * pulled low and let go, with contact bounce, and the clock moved by hand between edges.
 */
class WorryButtonTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final AtomicInteger presses = new AtomicInteger();
    private GpioBoard board;
    private MockDigitalInput line;
    private WorryButton button;

    @BeforeEach
    void setUp() {
        board = GpioBoard.open(GpioBoard.Provider.MOCK);
        var input = board.input("worry-button", 17);
        line = board.mock(input).orElseThrow();
        button = new WorryButton(input, new PressDebouncer(15), clock, presses::incrementAndGet);
    }

    @AfterEach
    void tearDown() {
        button.close();
        board.close();
    }

    /** Moves the clock on by {@code afterMillis}, then sets the line: down = pulled low by the button. */
    private void edge(long afterMillis, boolean down) {
        clock.advance(Duration.ofMillis(afterMillis));
        line.mockState(down ? DigitalState.LOW : DigitalState.HIGH);
    }

    /** A press with 3 ms of bounce on the way down and on the way up, held {@code holdMillis}. */
    private void bouncyPress(long afterMillis, long holdMillis) {
        edge(afterMillis, true);
        edge(1, false);
        edge(1, true);
        edge(holdMillis, false);
        edge(1, true);
        edge(2, false);
    }

    @Test
    void aPressThirtyMillisecondsAfterAReleaseIsHeard() {
        edge(0, true);
        edge(100, false);
        edge(30, true);
        assertEquals(2, presses.get());
        assertEquals(PressDebouncer.Kind.PRESS, button.lastDecision().kind());
        assertEquals(30, button.lastDecision().upMillis());
    }

    @Test
    void contactBounceOnPressAndReleaseIsOnePress() {
        bouncyPress(0, 120);
        assertEquals(1, presses.get());
        assertEquals(PressDebouncer.Kind.RELEASE, button.lastDecision().kind());
    }

    @Test
    void aChildMashingTheButtonIsHeardOncePerRealPress() {
        for (int i = 0; i < 12; i++) {
            bouncyPress(40, 50);
        }
        assertEquals(12, presses.get());
    }

    @Test
    void aHeldButtonThatChattersStaysOnePress() {
        edge(0, true);
        for (int i = 0; i < 20; i++) {
            // A worn contact or a wobbling hand opens the circuit for a millisecond or two while held.
            edge(250, false);
            edge(2, true);
        }
        edge(3_000, false);
        assertEquals(1, presses.get(), "an eight-second hold is one press");
    }

    @Test
    void unreasonableReleaseTimesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PressDebouncer(0));
        assertThrows(IllegalArgumentException.class, () -> new PressDebouncer(500));
    }
}
