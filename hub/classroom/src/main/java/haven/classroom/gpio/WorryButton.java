package haven.classroom.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import java.time.Clock;

/** The pupils' "report a worry" push button: a debounced press (line pulled low) runs {@code onPress}. */
public final class WorryButton implements AutoCloseable {
    private final DigitalInput input;
    private final DigitalStateChangeListener listener;

    public WorryButton(DigitalInput input, Debouncer debouncer, Clock clock, Runnable onPress) {
        this.input = input;
        this.listener = event -> {
            boolean real = debouncer.accept(clock.millis());
            if (real && event.state() == DigitalState.LOW) {
                onPress.run();
            }
        };
        input.addListener(listener);
    }

    public DigitalInput input() {
        return input;
    }

    @Override
    public void close() {
        input.removeListener(listener);
    }
}
