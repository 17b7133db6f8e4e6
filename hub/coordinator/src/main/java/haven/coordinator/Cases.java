package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The case work on an incident (docs/CASEWORK.md): concerns logged by staff, append-only notes, who the
 * case is assigned to, follow-up actions with due times, reopening. The SQL of case_notes and case_actions
 * lives here, their one owner. Every change is a chained {@code coordinator.*} decision written in the
 * caller's transaction ("maintains a log of online safety incidents along with any follow up").
 */
public final class Cases {
    /** Where a concern happened when it was not in one room: filed under pseudo-rooms of {@link StaffDecisions#SCHOOL}'s site. */
    public static final Set<String> PLACES = Set.of("elsewhere-in-school", "outside-school");
    public static final Set<String> ABOUT = Set.of(Visibility.ABOUT_PUPIL, Visibility.ABOUT_STAFF, Visibility.ABOUT_HEAD);
    public static final String ILLEGAL_NONE = "none";
    public static final String SUSPECTED_CSAM = "suspected-csam";
    public static final Set<String> ILLEGAL = Set.of(ILLEGAL_NONE, SUSPECTED_CSAM, "other-suspected-illegal");
    public static final Set<String> ACTION_KINDS = Set.of("parents-informed", "mash-referral", "childrens-social-care",
            "lado-referral", "police", "ceop", "other");

    private final Incidents incidents;
    private final StaffDecisions decisions;
    private final Clock clock;
    private final UuidV7 ids;
    private final CaseEvidence evidence;

    public Cases(Incidents incidents, Clock clock) {
        this.incidents = incidents;
        this.clock = clock;
        this.decisions = new StaffDecisions(clock);
        this.ids = new UuidV7(clock);
        this.evidence = new CaseEvidence(incidents, clock);
    }

    /** What a member of staff reports; checked by the route before it gets here. */
    public record Concern(RoomId room, String category, String summary, String url, String nature, String about, String illegal) {
    }

    /** Opens an incident with source concern, numbered and chained in the caller's transaction. */
    public Incident logConcern(Handle c, Concern concern, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        String report = ids.next().toString();
        insertConcern(c, report, concern, who.name(), at);
        Incident opened = incidents.numbered(c, incidents.find(c, report)).orElseThrow();
        ObjectNode data = Json.object().put("incident", opened.id()).put("report", report).put("caseNumber", opened.caseNumber())
                .put("by", who.name()).put("role", who.role().wire()).put("about", concern.about()).put("illegal", concern.illegal())
                .put("category", concern.category()).put("summary", concern.summary()).put("url", concern.url())
                .put("nature", concern.nature());
        decisions.record(c, StaffDecisions.CONCERN_LOGGED, opened.room(), at, data);
        return opened;
    }

    private static void insertConcern(Handle c, String report, Concern concern, String by, Instant at) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO incidents(report_id, site, room, status, presses, category, opened_at, url, nature, source,
                    about, illegal, logged_by, summary)
                VALUES (?,?,?,'open',0,?,?,?,?,?,?,?,?,?) ON CONFLICT(report_id) DO NOTHING""")) {
            ps.setString(1, report);
            ps.setString(2, concern.room().site());
            ps.setString(3, concern.room().room());
            ps.setString(4, concern.category());
            ps.setString(5, Json.time(at));
            ps.setString(6, concern.url());
            ps.setString(7, concern.nature());
            ps.setString(8, IncidentSource.CONCERN.wire());
            ps.setString(9, concern.about());
            ps.setString(10, concern.illegal());
            ps.setString(11, by);
            ps.setString(12, concern.summary());
            ps.executeUpdate();
        }
    }

    /** A chained coordinator.concern-logged replayed onto the tables (Projector): the same row, its recorded number. */
    static void projectConcern(Handle c, Incidents incidents, RoomId room, Instant at, com.fasterxml.jackson.databind.JsonNode d)
            throws SQLException {
        String report = d.path("report").asText();
        insertConcern(c, report, new Concern(room, text(d, "category"), text(d, "summary"), text(d, "url"), text(d, "nature"),
                text(d, "about"), text(d, "illegal")), d.path("by").asText(), at);
        incidents.numbered(c, incidents.find(c, report));
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode d, String field) {
        return d.hasNonNull(field) ? d.get(field).asText() : null;
    }

    /** One note; {@code corrects} names an earlier note of the same incident, which stays as it was. */
    public ObjectNode addNote(Handle c, Incident incident, String text, Optional<Long> corrects, StaffSession who) throws SQLException {
        if (corrects.isPresent() && !noteBelongs(c, incident.id(), corrects.get())) {
            throw new IllegalArgumentException("corrects: no note " + corrects.get() + " on this incident");
        }
        Instant at = clock.instant();
        long id;
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "INSERT INTO case_notes(incident_id, at, by_name, text, corrects) VALUES (?,?,?,?,?) RETURNING id")) {
            ps.setLong(1, incident.id());
            ps.setString(2, Json.time(at));
            ps.setString(3, who.name());
            ps.setString(4, text);
            ps.setObject(5, corrects.orElse(null));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        ObjectNode note = Json.object().put("id", id).put("at", Json.time(at)).put("by", who.name()).put("text", text);
        note.put("corrects", corrects.orElse(null));
        decisions.record(c, StaffDecisions.NOTE_ADDED, incident.room(), at, base(incident, who).put("note", id).put("text", text)
                .put("corrects", corrects.orElse(null)));
        return note;
    }

    private static boolean noteBelongs(Handle c, long incident, long note) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT 1 FROM case_notes WHERE id = ? AND incident_id = ?")) {
            ps.setLong(1, note);
            ps.setLong(2, incident);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Incident assign(Handle c, Incident incident, String to, StaffSession who) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE incidents SET assigned_to = ? WHERE id = ?")) {
            ps.setString(1, to);
            ps.setLong(2, incident.id());
            ps.executeUpdate();
        }
        decisions.record(c, StaffDecisions.ASSIGNED, incident.room(), base(incident, who).put("to", to));
        return incidents.find(c, incident.id()).orElseThrow();
    }

    public ObjectNode addAction(Handle c, Incident incident, String kind, String reference, Instant due, StaffSession who)
            throws SQLException {
        Instant at = clock.instant();
        long id;
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO case_actions(incident_id, kind, reference, due, created_at, created_by) VALUES (?,?,?,?,?,?) RETURNING id""")) {
            ps.setLong(1, incident.id());
            ps.setString(2, kind);
            ps.setString(3, reference);
            ps.setString(4, Json.time(due));
            ps.setString(5, Json.time(at));
            ps.setString(6, who.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        decisions.record(c, StaffDecisions.ACTION_ADDED, incident.room(), at, base(incident, who).put("action", id).put("kind", kind)
                .put("reference", reference).put("due", Json.time(due)));
        return action(c, incident.id(), id).orElseThrow();
    }

    /** Marks an action done; empty when there is no such action on this incident or it was already done. */
    public Optional<ObjectNode> actionDone(Handle c, Incident incident, long action, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE case_actions SET done_at = ?, done_by = ? WHERE id = ? AND incident_id = ? AND done_at IS NULL")) {
            ps.setString(1, Json.time(at));
            ps.setString(2, who.name());
            ps.setLong(3, action);
            ps.setLong(4, incident.id());
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
        }
        decisions.record(c, StaffDecisions.ACTION_DONE, incident.room(), at, base(incident, who).put("action", action));
        return action(c, incident.id(), action);
    }

    /** An action that is past due and not done, flagged once. */
    public record Overdue(Incident incident, long action, String kind, Instant due) {
    }

    /** Flags every action past its due time that is not done and not yet flagged; chained as the system's record. */
    public List<Overdue> flagOverdue(Handle c) throws SQLException {
        Instant now = clock.instant();
        record Row(long action, long incident, String kind, Instant due) {
        }
        List<Row> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                UPDATE case_actions SET overdue_at = ? WHERE done_at IS NULL AND overdue_at IS NULL AND due < ?
                RETURNING id, incident_id, kind, due""")) {
            ps.setString(1, Json.time(now));
            ps.setString(2, Json.time(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), Instant.parse(rs.getString(4))));
                }
            }
        }
        List<Overdue> found = new ArrayList<>();
        for (Row o : out) {
            Incident incident = incidents.find(c, o.incident()).orElse(null);
            if (incident == null) {
                continue; // purged by retention since; the action row stays, like the log
            }
            decisions.record(c, StaffDecisions.ACTION_OVERDUE, incident.room(), now, Json.object().put("incident", incident.id())
                    .put("report", incident.reportId()).put("action", o.action()).put("kind", o.kind()).put("due", Json.time(o.due())));
            found.add(new Overdue(incident, o.action(), o.kind(), o.due()));
        }
        return found;
    }

    /** Reopens a closed case: the closure's columns are cleared and the reason chained; what was said at closing stays in the log. */
    public Optional<Incident> reopen(Handle c, Incident incident, String reason, StaffSession who) throws SQLException {
        if (!reopenColumns(c, incident.reportId())) {
            return Optional.empty();
        }
        decisions.record(c, StaffDecisions.REOPENED, incident.room(), base(incident, who).put("reason", reason));
        return incidents.find(c, incident.id());
    }

    /** The closure's columns cleared (live and in a replay of coordinator.reopened); false when it was not closed. */
    static boolean reopenColumns(Handle c, String report) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                UPDATE incidents SET closed_at = NULL, closed_by = NULL, outcome = NULL,
                    status = CASE WHEN acked_at IS NOT NULL THEN 'acknowledged' WHEN escalated_at IS NOT NULL THEN 'escalated' ELSE 'open' END
                WHERE report_id = ? AND status = 'closed'""")) {
            ps.setString(1, report);
            return ps.executeUpdate() == 1;
        }
    }

    /** The case part of an incident's detail: notes (oldest first) and actions with whether each is overdue now. */
    public ObjectNode json(Handle c, long incident) throws SQLException {
        ObjectNode out = Json.object();
        ArrayNode notes = out.putArray("notes");
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "SELECT id, at, by_name, text, corrects FROM case_notes WHERE incident_id = ? ORDER BY id")) {
            ps.setLong(1, incident);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode n = notes.addObject().put("id", rs.getLong(1)).put("at", rs.getString(2)).put("by", rs.getString(3))
                            .put("text", rs.getString(4));
                    long corrects = rs.getLong(5);
                    n.put("corrects", rs.wasNull() ? null : corrects);
                }
            }
        }
        ArrayNode actions = out.putArray("actions");
        for (ObjectNode a : actions(c, incident, Optional.empty())) {
            actions.add(a);
        }
        ArrayNode attachments = out.putArray("attachments");
        for (CaseEvidence.Attachment a : evidence.attachments(c, incident)) {
            attachments.add(a.toJson());
        }
        return out;
    }

    private Optional<ObjectNode> action(Handle c, long incident, long action) throws SQLException {
        return actions(c, incident, Optional.of(action)).stream().findFirst();
    }

    private List<ObjectNode> actions(Handle c, long incident, Optional<Long> only) throws SQLException {
        Instant now = clock.instant();
        List<ObjectNode> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT id, kind, reference, due, created_at, created_by, done_at, done_by,"
                + " overdue_at FROM case_actions WHERE incident_id = ?" + (only.isPresent() ? " AND id = ?" : "") + " ORDER BY id")) {
            ps.setLong(1, incident);
            if (only.isPresent()) {
                ps.setLong(2, only.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String done = rs.getString(7);
                    out.add(Json.object().put("id", rs.getLong(1)).put("kind", rs.getString(2)).put("reference", rs.getString(3))
                            .put("due", rs.getString(4)).put("createdAt", rs.getString(5)).put("createdBy", rs.getString(6))
                            .put("doneAt", done).put("doneBy", rs.getString(8)).put("flaggedOverdueAt", rs.getString(9))
                            .put("overdue", done == null && Instant.parse(rs.getString(4)).isBefore(now)));
                }
            }
        }
        return out;
    }

    private static ObjectNode base(Incident incident, StaffSession who) {
        return Json.object().put("incident", incident.id()).put("report", incident.reportId()).put("by", who.name())
                .put("role", who.role().wire());
    }
}
