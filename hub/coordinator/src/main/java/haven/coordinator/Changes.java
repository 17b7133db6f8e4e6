package haven.coordinator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the staff's screens must hear about as it happens. Ingest, escalation and staff actions report
 * here; the web layer's live feed decides who may see each change. Kept as an interface so the case
 * logic never depends on the web layer.
 */
public interface Changes {
    void roomChanged(RoomView room);

    void incidentChanged(Incident incident);

    void aupsChanged(ObjectNode aups);

    void isolationChanged(IsolationView isolation);

    /** A case's follow-up action was marked done: an alert that it was overdue stops climbing. */
    void actionDone(Incident incident, String actionKind);
}
