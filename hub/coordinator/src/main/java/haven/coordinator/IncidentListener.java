package haven.coordinator;

/**
 * Told of an incident's new state after it has committed (opened, acknowledged, escalated, closed ...).
 * Called on the thread that changed it, so an implementation only takes note and returns.
 */
@FunctionalInterface
public interface IncidentListener {
    void incidentChanged(Incident incident);
}
