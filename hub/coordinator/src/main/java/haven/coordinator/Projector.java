package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Event;
import haven.protocol.RoomId;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * What each entry of the evidence log does to the tables staff read (incidents, rooms, isolations): the one
 * place that says it, used by live ingest for a hub's event and by {@link Projections} to rebuild the tables
 * from the log alone. Decode and validate before the write transaction; inside it, only append and project.
 *
 * <p>A staff decision is made live by its own route through the same {@link Incidents} and {@link Isolations}
 * methods called here, in the transaction that chains its record; replaying the record repeats that change.
 * A new record type that changes a table is one case in {@link #record}.
 */
public final class Projector {
    // Replays of incidents columns keyed by report, as the records carry it (the live routes change them by id).
    private static final String ESCALATED = """
            UPDATE incidents SET status = :escalated, escalated_at = :at WHERE report_id = :report AND status = :open""";
    private static final String OPEN_AT_END_OF_DAY = "UPDATE incidents SET open_at_end_of_day = :day WHERE report_id = :report";
    private static final String ASSIGNED = "UPDATE incidents SET assigned_to = :to WHERE report_id = :report";
    private static final String ILLEGAL = "UPDATE incidents SET illegal = :illegal WHERE report_id = :report";

    /** What one hub event changed, for the live dashboards. */
    public record Touched(Optional<Incident> incident, Optional<RoomView> room, Optional<IsolationView> isolation) {
    }

    private final Incidents incidents;
    private final Rooms rooms;
    private final Isolations isolations;

    public Projector(Incidents incidents, Rooms rooms, Isolations isolations) {
        this.incidents = incidents;
        this.rooms = rooms;
        this.isolations = isolations;
    }

    /** A hub's event, just appended to the log in this transaction. */
    public Touched hubEvent(Handle c, Event event, Instant receivedAt) throws SQLException {
        Optional<Incident> incident = incidents.apply(c, event, receivedAt);
        Optional<IsolationView> isolation = isolations.apply(c, event);
        Optional<RoomView> room = rooms.aupReviewed(c, event, rooms.eventLogged(c, event, receivedAt));
        if (incident.isEmpty()) {
            incident = new CaseIsolations(incidents).onEvent(c, event, isolation); // isolation as part of a case
        }
        return new Touched(incident, room, isolation);
    }

    /**
     * A coordinator record (a staff decision, an escalation, a purge) replayed onto the tables. Types that
     * change no table (alerts, exports, accounts, AUPs, remote isolation requests: the hub's own events
     * follow) fall through.
     */
    public void record(Handle c, String type, RoomId room, Instant at, JsonNode data) throws SQLException {
        switch (type) {
            case StaffDecisions.ACKNOWLEDGED -> {
                Optional<Incident> i = incidents.find(c, data.path("report").asText());
                if (i.isPresent()) {
                    incidents.acknowledge(c, i.get().id(), data.path("by").asText(), at);
                }
            }
            case StaffDecisions.CLOSED -> {
                Optional<Incident> i = incidents.find(c, data.path("report").asText());
                if (i.isPresent()) {
                    incidents.close(c, i.get().id(), data.path("by").asText(), new Incidents.Closing(CloseOutcome.recorded(data.path("outcome").asText()),
                            text(data, "notes"), text(data, "url"), text(data, "nature")), at);
                }
            }
            case StaffDecisions.ESCALATED -> c.createUpdate(ESCALATED)
                    .bind("escalated", IncidentStatus.ESCALATED)
                    .bind("at", at)
                    .bind("report", data.path("report").asText())
                    .bind("open", IncidentStatus.OPEN)
                    .execute();
            case StaffDecisions.OPEN_AT_END_OF_DAY -> c.createUpdate(OPEN_AT_END_OF_DAY)
                    .bind("day", data.path("day").asText())
                    .bind("report", data.path("report").asText())
                    .execute();
            case StaffDecisions.SIGNED_OFF -> {
                Optional<IsolationView> open = isolations.openFor(c, room, data.path("machine").asText());
                if (open.isPresent()) {
                    isolations.signOff(c, open.get().id(), data.path("by").asText(), data.path("role").asText(), at);
                }
            }
            case StaffDecisions.RELEASE_SENT -> {
                Optional<IsolationView> open = isolations.openFor(c, room, data.path("machine").asText());
                if (open.isPresent()) {
                    isolations.markReleaseRequested(c, open.get().id(), at);
                }
            }
            case StaffDecisions.CAME_FORWARD -> {
                Optional<Incident> i = incidents.find(c, data.path("report").asText());
                if (i.isPresent()) {
                    incidents.cameForward(c, i.get().id(), data.path("by").asText(), at);
                }
            }
            case StaffDecisions.PURGED -> Projections.purged(c, data);
            case StaffDecisions.BREACH_RECORDED, StaffDecisions.BREACH_NOTE_ADDED, StaffDecisions.BREACH_DEADLINE_NEAR,
                 StaffDecisions.BREACH_DECIDED -> Breaches.project(c, type, data);
            // Case work (docs/CASEWORK.md): the same Cases and CaseIsolations methods the routes call.
            case StaffDecisions.CONCERN_LOGGED -> Cases.projectConcern(c, incidents, room, at, data);
            case StaffDecisions.ASSIGNED -> c.createUpdate(ASSIGNED)
                    .bind("to", data.path("to").asText())
                    .bind("report", data.path("report").asText())
                    .execute();
            case StaffDecisions.ILLEGAL_CHANGED -> c.createUpdate(ILLEGAL)
                    .bind("illegal", IllegalContent.fromStored(data.path("illegal").asText()).orElseThrow(() -> new IllegalStateException(
                            StaffDecisions.ILLEGAL_CHANGED + ": field 'illegal' is not one of " + IllegalContent.words())))
                    .bind("report", data.path("report").asText())
                    .execute();
            case StaffDecisions.REOPENED -> Cases.reopenColumns(c, data.path("report").asText());
            case StaffDecisions.ISOLATION_REQUESTED -> {
                if (data.hasNonNull("report")) {
                    new CaseIsolations(incidents).openOrJoin(c, room, data.get("report").asText(), at, text(data, "reason"));
                }
            }
            default -> {
            }
        }
    }

    private static String text(JsonNode d, String field) {
        return d.hasNonNull(field) ? d.get(field).asText() : null;
    }
}
