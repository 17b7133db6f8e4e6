package haven.coordinator.notify;

import java.time.Duration;
import java.util.List;

/** One rung of a ladder: these contacts, once the alert has gone unacknowledged for {@code after}. */
public record Step(Duration after, List<String> contacts) {
    public Step {
        contacts = List.copyOf(contacts);
        if (after.isNegative()) {
            throw new IllegalArgumentException("after must not be negative, got " + after);
        }
        if (contacts.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one contact");
        }
    }
}
