package haven.classroom.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import java.time.Clock;
import java.util.function.Consumer;

/** The teacher's panic-isolate key switch: closed (low) is "on". Reports each debounced change. */
public final class KeySwitch implements AutoCloseable {
    private final DigitalInput input;
    private final DigitalStateChangeListener listener;
    private volatile boolean on;

    public KeySwitch(DigitalInput input, Debouncer debouncer, Clock clock, Consumer<Boolean> onChange) {
        this.input = input;
        this.on = input.state() == DigitalState.LOW;
        this.listener = event -> {
            boolean nowOn = event.state() == DigitalState.LOW;
            if (debouncer.accept(clock.millis()) && nowOn != on) {
                on = nowOn;
                onChange.accept(nowOn);
            }
        };
        input.addListener(listener);
    }

    public boolean on() {
        return on;
    }

    public DigitalInput input() {
        return input;
    }

    @Override
    public void close() {
        input.removeListener(listener);
    }
}
