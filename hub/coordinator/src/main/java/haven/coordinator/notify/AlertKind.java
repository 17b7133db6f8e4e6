package haven.coordinator.notify;

import java.util.Arrays;
import java.util.Optional;

/** What an alert is about, in the words the school's ladder is written in (notify.ladders.KIND). */
public enum AlertKind {
    /** A pupil pressed the worry button. */
    WORRY("worry", "New worry"),
    /** A worry whose chosen category the school lists as urgent (notify.urgentCategories). */
    URGENT_WORRY("urgent-worry", "Urgent worry"),
    /** A computer was cut off from the network (key switch or remote request): an incident with source isolation. */
    ISOLATION("isolation", "Computer isolated"),
    /** A classroom hub offline longer than notify.hubOfflineMinutes during school hours; no incident. */
    HUB_OFFLINE("hub-offline", "Classroom hub offline"),
    /** Said once to whoever had the hub-offline alert, when the hub is back; no ladder has this kind. */
    HUB_BACK("hub-back", "Classroom hub back online"),
    /** A filter check found something reachable that should be blocked: an incident with source filter-check. */
    FILTER_CHECK_FAILED("filter-check-failed", "Filter check failed"),
    /**
     * A member of staff logged a concern: an incident with source concern. The title says no more, because a
     * concern about a member of staff must not say so to anyone on the ladder.
     */
    STAFF_CONCERN("staff-concern", "Concern logged"),
    /** An action agreed on an incident is past its due time. The action itself is never named. */
    ACTION_OVERDUE("action-overdue", "Action overdue"),
    /**
     * A suspected data breach was recorded, and again when under 24 hours are left of the 72 to decide whether to
     * report it to the ICO (docs/DATA-PROTECTION.md). Never what happened or whose data: only the clock.
     */
    DATA_BREACH("data-breach", "Suspected data breach"),
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

    /** Kinds a school writes a ladder for (notify.ladders.KIND, notify.outOfHours.KIND). */
    public boolean hasLadder() {
        return this != TEST && this != HUB_BACK;
    }

    /** Worries always have a ladder (the worry one by default); the other kinds only when the school wrote one. */
    public boolean isWorry() {
        return this == WORRY || this == URGENT_WORRY;
    }

    public static Optional<AlertKind> fromWire(String wire) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst();
    }
}
