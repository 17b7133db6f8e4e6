package haven.classroom.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Moves Pi4J mock inputs the way a hand would: a press holds the line low for {@value #PRESS_MILLIS} ms,
 * longer than the debounce, so the simulated press goes through exactly the code a real press does.
 * Only available on simulated GPIO.
 */
public final class SimulatedHand implements AutoCloseable {
    static final long PRESS_MILLIS = 120;

    private final GpioBoard board;
    private final ScheduledExecutorService releases = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sim-hand");
        t.setDaemon(true);
        return t;
    });

    public SimulatedHand(GpioBoard board) {
        this.board = board;
    }

    public boolean available() {
        return board.simulated();
    }

    /** Presses and releases a push button; false on real GPIO. */
    public boolean press(DigitalInput button) {
        return board.mock(button).map(mock -> {
            synchronized (this) {
                mock.mockState(DigitalState.LOW);
            }
            releases.schedule(() -> release(mock), PRESS_MILLIS, TimeUnit.MILLISECONDS);
            return true;
        }).orElse(false);
    }

    private synchronized void release(MockDigitalInput mock) {
        mock.mockState(DigitalState.HIGH);
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
