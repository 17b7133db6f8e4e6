package haven.protocol;

import java.util.Arrays;
import java.util.Optional;

/** Event types of contract v1. The wire name is the last topic level and the envelope's "type". */
public enum EventType {
    WORRY_REPORTED("worry.reported"),
    /** More presses inside the coalescing window of an open report: same incident, higher count. */
    WORRY_REPEATED("worry.repeated"),
    WORRY_DETAILED("worry.detailed"),
    /** The pupil asked to talk to someone: the keyed hash of the code the kiosk showed them (never the code). */
    WORRY_FOLLOW_UP("worry.follow-up"),
    ISOLATION_REQUESTED("isolation.requested"),
    ISOLATION_APPLIED("isolation.applied"),
    ISOLATION_FAILED("isolation.failed"),
    ISOLATION_RELEASED("isolation.released"),
    SWITCH_CHANGED("switch.changed"),
    HUB_STARTED("hub.started"),
    CMD_APPLIED("cmd.applied"),
    /** The result of a filter check: what the room's network let through of the school's test targets. */
    FILTER_CHECKED("filter.checked"),
    /** A press while the room was in test mode (a drill): no incident, no alert, the kiosk says it was a test. */
    BUTTON_TESTED("button.tested"),
    /** A teacher went through the AUP with the class (teacher mode on the kiosk): which AUP, never who was there. */
    AUP_REVIEWED("aup.reviewed");

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<EventType> fromWire(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
    }
}
