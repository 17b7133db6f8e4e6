package haven.classroom.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Moves Pi4J mock inputs the way a hand would: a press holds the line low for {@value #PRESS_MILLIS} ms,
 * longer than the debounce, so the simulated press goes through exactly the code a real press does.
 * Only available on simulated GPIO.
 */
public final class SimulatedHand implements AutoCloseable {
    public static final long PRESS_MILLIS = 120;
    static final long MAX_HOLD_MILLIS = 10_000;

    private final GpioBoard board;
    private final ScheduledExecutorService releases = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sim-hand");
        t.setDaemon(true);
        return t;
    });

    private ScheduledFuture<?> pendingRelease;
    private long holds;

    public SimulatedHand(GpioBoard board) {
        this.board = board;
    }

    public boolean available() {
        return board.simulated();
    }

    /**
     * Presses the worry button and lets go after {@code holdMillis}; empty on real GPIO. If the hand is
     * still holding it from an earlier press, it lets go and presses again at once, as a child would;
     * the answer is what the debouncer made of this press's falling edge.
     */
    public Optional<PressDebouncer.Decision> press(WorryButton button, long holdMillis) {
        if (holdMillis < 1 || holdMillis > MAX_HOLD_MILLIS) {
            throw new IllegalArgumentException("holdMillis must be 1.." + MAX_HOLD_MILLIS + ", got " + holdMillis);
        }
        return board.mock(button.input()).map(mock -> {
            synchronized (this) {
                if (pendingRelease != null) {
                    pendingRelease.cancel(false);
                }
                mock.mockState(DigitalState.HIGH);
                mock.mockState(DigitalState.LOW);
                PressDebouncer.Decision decision = button.lastDecision();
                long hold = ++holds;
                pendingRelease = releases.schedule(() -> release(mock, hold), holdMillis, TimeUnit.MILLISECONDS);
                return decision;
            }
        });
    }

    /** Lets go, unless a later press has taken over this hold (a cancelled release may already be waiting). */
    private synchronized void release(MockDigitalInput mock, long hold) {
        if (hold == holds) {
            mock.mockState(DigitalState.HIGH);
            pendingRelease = null;
        }
    }

    /** Turns a key switch on (closed, low) or off; false on real GPIO. */
    public boolean turn(DigitalInput keySwitch, boolean on) {
        return board.mock(keySwitch).map(mock -> {
            synchronized (this) {
                mock.mockState(on ? DigitalState.LOW : DigitalState.HIGH);
            }
            return true;
        }).orElse(false);
    }

    @Override
    public void close() {
        releases.shutdownNow();
    }
}
