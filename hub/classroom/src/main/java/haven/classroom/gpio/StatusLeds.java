package haven.classroom.gpio;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;

/**
 * The three LEDs beside the button: green = connected to the coordinator, amber = a report is waiting
 * for a trusted adult, red = a computer in this room is isolated.
 */
public final class StatusLeds {
    private final DigitalOutput green;
    private final DigitalOutput amber;
    private final DigitalOutput red;

    public StatusLeds(DigitalOutput green, DigitalOutput amber, DigitalOutput red) {
        this.green = green;
        this.amber = amber;
        this.red = red;
    }

    public void online(boolean value) {
        green.state(DigitalState.getState(value));
    }

    public void reportPending(boolean value) {
        amber.state(DigitalState.getState(value));
    }

    public void isolationActive(boolean value) {
        red.state(DigitalState.getState(value));
    }

    public boolean isOnline() {
        return green.state().isHigh();
    }

    public boolean isReportPending() {
        return amber.state().isHigh();
    }

    public boolean isIsolationActive() {
        return red.state().isHigh();
    }
}
