package haven.classroom.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import java.time.Clock;

/** The pupils' "report a worry" push button: a debounced press (line pulled low) runs {@code onPress}. */
public final class WorryButton implements AutoCloseable {
    private final DigitalInput input;
    private final DigitalStateChangeListener listener;
    private volatile PressDebouncer.Decision last;

    public WorryButton(DigitalInput input, PressDebouncer debouncer, Clock clock, Runnable onPress) {
        this.input = input;
        this.listener = event -> {
            PressDebouncer.Decision decision = debouncer.edge(event.state() == DigitalState.LOW, clock.millis());
            last = decision;
            if (decision.counted()) {
                onPress.run();
            }
        };
        input.addListener(listener);
    }

    public DigitalInput input() {
        return input;
    }

    /** What the debouncer made of the latest edge (null before any): the simulation reports it. */
    public PressDebouncer.Decision lastDecision() {
        return last;
    }

    @Override
    public void close() {
        input.removeListener(listener);
    }
}
