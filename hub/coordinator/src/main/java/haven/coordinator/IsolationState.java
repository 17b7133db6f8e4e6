package haven.coordinator;

import haven.store.Stored;

/** Where an isolation is, as the hub's isolation.* events left it; stored in {@code isolations.status} as {@link #stored()}. */
public enum IsolationState implements Stored {
    REQUESTED("requested"),
    /** Applied by hand (the backend is "manual"): the switch port, not the hub, cut the machine off. */
    MANUAL("manual"),
    ACTIVE("active"),
    FAILED("failed"),
    RELEASED("released");

    private final String stored;

    IsolationState(String stored) {
        this.stored = stored;
    }

    @Override
    public String stored() {
        return stored;
    }
}
