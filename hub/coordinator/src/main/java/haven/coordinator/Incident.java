package haven.coordinator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Category;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.sql.ResultSet;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import haven.store.SqlTypes;
import org.jdbi.v3.core.statement.StatementContext;

/** One worry report as the safeguarding lead sees it. */
public record Incident(long id, String reportId, RoomId room, IncidentStatus status, long presses, String category,
                       String computer, Instant openedAt, Instant ackedAt, String ackedBy, Instant closedAt,
                       CloseOutcome outcome, String notes, String url, String nature, Instant escalatedAt,
                       String openAtEndOfDay, IncidentSource source, int alertFailures, String alertFailuresByChannel,
                       ConcernAbout about, IllegalContent illegal, String loggedBy, String summary, String assignedTo, String caseNumber,
                       Instant cameForwardAt, String cameForwardBy) {

    /** Without case-work fields (docs/CASEWORK.md): a worry as the hub reported it. */
    public Incident(long id, String reportId, RoomId room, IncidentStatus status, long presses, String category,
                    String computer, Instant openedAt, Instant ackedAt, String ackedBy, Instant closedAt,
                    CloseOutcome outcome, String notes, String url, String nature, Instant escalatedAt,
                    String openAtEndOfDay, IncidentSource source, int alertFailures, String alertFailuresByChannel) {
        this(id, reportId, room, status, presses, category, computer, openedAt, ackedAt, ackedBy, closedAt, outcome, notes,
                url, nature, escalatedAt, openAtEndOfDay, source, alertFailures, alertFailuresByChannel, null, null, null, null, null,
                null, null, null);
    }

    /** Without alert failures (an incident no alert has failed for). */
    public Incident(long id, String reportId, RoomId room, IncidentStatus status, long presses, String category,
                    String computer, Instant openedAt, Instant ackedAt, String ackedBy, Instant closedAt,
                    CloseOutcome outcome, String notes, String url, String nature, Instant escalatedAt,
                    String openAtEndOfDay, IncidentSource source) {
        this(id, reportId, room, status, presses, category, computer, openedAt, ackedAt, ackedBy, closedAt, outcome, notes,
                url, nature, escalatedAt, openAtEndOfDay, source, 0, null);
    }

    // alert_failures belongs to the notifier (haven.coordinator.notify.Timeline); read here so every view of an
    // incident (REST, snapshot, live feed) says whether its alerts got through.
    static final String COLUMNS = "id, report_id, site, room, status, presses, category, computer, opened_at, acked_at, "
            + "acked_by, closed_at, outcome, notes, url, nature, escalated_at, open_at_end_of_day, source, "
            + "(SELECT f.failures FROM alert_failures f WHERE f.incident_id = incidents.id), "
            + "(SELECT f.channels FROM alert_failures f WHERE f.incident_id = incidents.id), "
            + "about, illegal, logged_by, summary, assigned_to, case_number, came_forward_at, came_forward_by";

    static Incident from(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Incident(rs.getLong(1), rs.getString(2), new RoomId(rs.getString(3), rs.getString(4)),
                SqlTypes.stored(rs, 5, STATUSES), rs.getLong(6), rs.getString(7), rs.getString(8),
                SqlTypes.instant(rs, 9), SqlTypes.instant(rs, 10), rs.getString(11),
                SqlTypes.instant(rs, 12), SqlTypes.stored(rs, 13, OUTCOMES),
                rs.getString(14), rs.getString(15), rs.getString(16),
                SqlTypes.instant(rs, 17), rs.getString(18), SqlTypes.stored(rs, 19, SOURCES), rs.getInt(20), rs.getString(21),
                SqlTypes.stored(rs, 22, ABOUT), SqlTypes.stored(rs, 23, ILLEGAL), rs.getString(24), rs.getString(25), rs.getString(26),
                rs.getString(27), SqlTypes.instant(rs, 28), rs.getString(29));
    }

    // Read once: values() copies its array on every call, and the row mapper runs for every incident read.
    private static final IncidentStatus[] STATUSES = IncidentStatus.values();
    private static final CloseOutcome[] OUTCOMES = CloseOutcome.values();
    private static final ConcernAbout[] ABOUT = ConcernAbout.values();
    private static final IllegalContent[] ILLEGAL = IllegalContent.values();
    private static final IncidentSource[] SOURCES = IncidentSource.values();

    /** The same incident with the case number it has just been given (the row as it now is, without reading it again). */
    Incident withCaseNumber(String number) {
        return new Incident(id, reportId, room, status, presses, category, computer, openedAt, ackedAt, ackedBy, closedAt, outcome,
                notes, url, nature, escalatedAt, openAtEndOfDay, source, alertFailures, alertFailuresByChannel, about, illegal,
                loggedBy, summary, assignedTo, number, cameForwardAt, cameForwardBy);
    }

    /** Whether nobody has acknowledged it yet (open or escalated): what the per-room caps and alerts wait on. */
    public boolean waiting() {
        return status == IncidentStatus.OPEN || status == IncidentStatus.ESCALATED;
    }

    public boolean closed() {
        return status == IncidentStatus.CLOSED;
    }

    /**
     * Policy: a concern about a member of staff goes to the headteacher, and to nobody else; a failed filter check
     * to those who read the check log ({@link Visibility#mayKnowOf(Role, Incident)}).
     */
    public boolean visibleTo(Role role) {
        return Visibility.mayKnowOf(role, this);
    }

    /** What one member of staff may see of this incident, or nothing ({@link Visibility}). */
    public java.util.Optional<IncidentView> view(StaffSession viewer) {
        return Visibility.incident(this, viewer);
    }

    /** {@link #view} as a tree, for a caller that adds to it (the follow-up look-up, the dashboard's pages). */
    public java.util.Optional<ObjectNode> viewFor(StaffSession viewer) {
        return view(viewer).map(Json.MAPPER::valueToTree);
    }

    /** For technicians: that a room has an open worry, without what it is about. */
    public IncidentView.Redacted redacted() {
        return new IncidentView.Redacted(id, room.site(), room.room(), status.stored(), wire(openedAt), caseNumber, true, alertFailures,
                failuresByChannel());
    }

    /** Technicians see alert failures too: making the mail server work is their job. */
    private Map<String, Integer> failuresByChannel() {
        Map<String, Integer> by = new LinkedHashMap<>();
        if (alertFailuresByChannel != null) {
            Json.parse(alertFailuresByChannel.getBytes(StandardCharsets.UTF_8)).fields()
                    .forEachRemaining(e -> by.put(e.getKey(), e.getValue().asInt()));
        }
        return by;
    }

    public IncidentView.Full view() {
        return new IncidentView.Full(id, reportId, room.site(), room.room(), status.stored(), presses, category, computer, wire(openedAt),
                wire(ackedAt), ackedBy, wire(closedAt), outcome == null ? null : outcome.stored(), notes, url, nature, wire(escalatedAt),
                openAtEndOfDay, source.wire(), wire(cameForwardAt),
                cameForwardBy, alertFailures, failuresByChannel(), caseNumber, about == null ? null : about.stored(),
                illegal == null ? null : illegal.stored(), loggedBy, summary, assignedTo);
    }

    /** A time as the wire (and the column it was read from) spells it: {@link Json#time}, or null. */
    public static String wire(Instant at) {
        return at == null ? null : Json.time(at);
    }

    /** {@link #view()} as a tree: what an export or a case bundle adds to. */
    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(view());
    }
}
