package haven.coordinator;

import haven.store.Stored;
import java.util.Arrays;
import java.util.Locale;

/** Where an incident came from; stored in {@code incidents.source} and sent to the dashboard as {@link #wire()}. */
public enum IncidentSource implements Stored {
    /** A pupil pressed the worry button. */
    WORRY,
    /** A member of staff logged a concern on the dashboard. */
    CONCERN,
    /** A filter check found something reachable that should be blocked: the technician's to follow up. */
    FILTER_CHECK,
    /** The key switch was turned or an isolation was requested remotely. */
    ISOLATION;

    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The stored word is the wire word. */
    @Override
    public String stored() {
        return wire();
    }

    public static IncidentSource fromWire(String wire) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("incidents.source: unknown value " + wire));
    }
}
