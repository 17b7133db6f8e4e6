package haven.coordinator;

import haven.store.Stored;

/** Where an incident is in its life; stored in {@code incidents.status} (and sent to the dashboard) as {@link #stored()}. */
public enum IncidentStatus implements Stored {
    /** Reported, nobody has acknowledged it yet. */
    OPEN("open"),
    /** Waited longer than the policy allows without an acknowledgement ({@link Escalation}). */
    ESCALATED("escalated"),
    ACKNOWLEDGED("acknowledged"),
    CLOSED("closed");

    private final String stored;

    IncidentStatus(String stored) {
        this.stored = stored;
    }

    @Override
    public String stored() {
        return stored;
    }
}
