package haven.protocol;

import java.util.Arrays;
import java.util.Optional;

/** Commands the coordinator sends to a hub on haven/v1/{site}/{room}/cmd/{name}. */
public enum CommandName {
    ACK("ack"),
    RELEASE("release"),
    ISOLATE("isolate"),
    /** Publish the events with seq in [from, to] again: the coordinator found them missing from its log. */
    RESEND("resend"),
    /** Run the filter check now (docs/FILTERING.md); answered by a filter.checked event. */
    FILTER_CHECK("filter-check"),
    /** The next press within {@code minutes} is a test of the button (button.tested), not a worry. */
    TEST_MODE("test-mode");

    private final String wire;

    CommandName(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<CommandName> fromWire(String wire) {
        return Arrays.stream(values()).filter(c -> c.wire.equals(wire)).findFirst();
    }
}
