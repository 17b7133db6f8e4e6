package haven.coordinator.notify;

import java.util.Arrays;
import java.util.Optional;

/** What an alert is about, in the words the school's ladder is written in (notify.ladders.KIND). */
public enum AlertKind {
    /** A pupil pressed the worry button. */
    WORRY("worry", "New worry"),
    /** A worry whose chosen category the school lists as urgent (notify.urgentCategories). */
    URGENT_WORRY("urgent-worry", "Urgent worry"),
    /** `haven notify-test`: checks a contact's channels; no ladder has this kind. */
    TEST("test", "Test alert");

    private final String wire;
    private final String title;

    AlertKind(String wire, String title) {
        this.wire = wire;
        this.title = title;
    }

    public String wire() {
        return wire;
    }

    /** How the alert names itself to staff. */
    public String title() {
        return title;
    }

    public static Optional<AlertKind> fromWire(String wire) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst();
    }
}
