package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Event;
import haven.protocol.EventType;
import haven.protocol.RoomId;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Isolation as part of a case (docs/CASEWORK.md): a computer cut off from the network belongs to the room's
 * open incident, or opens one with source isolation. The key switch turned on the hub (the hub's
 * isolation.requested event) and a remote isolation from the dashboard both come through here, so they
 * join the same case. A concern routed to the head or the chair is never joined: it is not the room's.
 */
public final class CaseIsolations {
    static final String KEY_SWITCH_REASON = "isolation requested in the room (key switch or kiosk)";

    /** case_isolations_from marks where the log stood when case work began (V42); this class alone reads it. */
    private static final String LOGGED_BEFORE_CASES = """
            SELECT count(*) FROM events e WHERE e.id = :eventId AND e.pos <= (SELECT max(f.pos) FROM case_isolations_from f)""";

    private final Incidents incidents;
    private final Isolations isolations = new Isolations();

    public CaseIsolations(Incidents incidents) {
        this.incidents = incidents;
    }

    /** Inside the ingest transaction: links an isolation.requested to the room's case, opening one if needed. */
    public Optional<Incident> onEvent(Handle c, Event event, Optional<IsolationView> isolation) throws SQLException {
        if (event.type() != EventType.ISOLATION_REQUESTED || isolation.isEmpty() || loggedBeforeCases(c, event.id())) {
            return Optional.empty();
        }
        String reason = event.data().hasNonNull("reason") ? event.data().get("reason").asText() : KEY_SWITCH_REASON;
        Incident incident = openOrJoin(c, event.room(), event.id(), event.at(), reason);
        isolations.linkToCase(c, isolation.get().id(), incident.reportId(), reason);
        return Optional.of(incident);
    }

    /** An event logged before case work existed (migration V42) opened no case then, so it opens none in a rebuild. */
    private static boolean loggedBeforeCases(Handle c, String eventId) {
        return c.createQuery(LOGGED_BEFORE_CASES).bind("eventId", eventId).mapTo(Long.class).one() > 0;
    }

    /**
     * The room's open case, or a new one with source isolation whose report id is the event (or chained
     * record) that opened it, so verify-log finds its opener.
     */
    public Incident openOrJoin(Handle c, RoomId room, String openerId, Instant at, String reason) throws SQLException {
        Optional<Incident> joined = incidents.roomCase(c, room);
        if (joined.isPresent()) {
            return joined.get();
        }
        incidents.openFromIsolation(c, openerId, room, at, reason);
        return incidents.numbered(c, incidents.find(c, openerId)).orElseThrow();
    }
}
