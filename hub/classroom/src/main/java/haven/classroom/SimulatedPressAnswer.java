package haven.classroom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.gpio.PressDebouncer;
import haven.protocol.Json;
import java.util.Locale;

/** The body of {@code POST /api/sim/button}: what the debouncer did with the simulated press. */
public final class SimulatedPressAnswer {
    private SimulatedPressAnswer() {
    }

    public static ObjectNode of(PressDebouncer.Decision decision) {
        ObjectNode json = Json.object();
        json.put("debouncer", decision.kind().name().toLowerCase(Locale.ROOT));
        json.put("counted", decision.counted());
        if (decision.upMillis() >= 0) {
            json.put("upMillis", decision.upMillis());
        }
        json.put("releaseMillis", decision.releaseMillis());
        json.put("presses", decision.presses());
        if (!decision.counted()) {
            json.put("reason", "the button was up " + Math.max(0, decision.upMillis()) + " ms before this press;"
                    + " a new press needs it up " + decision.releaseMillis() + " ms (gpio.buttonReleaseMillis)");
        }
        return json;
    }
}
