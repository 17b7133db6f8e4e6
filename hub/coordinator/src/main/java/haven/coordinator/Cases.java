package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
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
 * lives here, their one owner; what changes the incident row itself is {@link Incidents}'. Every change is a
 * chained {@code coordinator.*} decision written in the caller's transaction ("maintains a log of online safety incidents along with any follow up").
 */
public final class Cases {
    /** Where a concern happened when it was not in one room: filed under pseudo-rooms of {@link StaffDecisions#SCHOOL}'s site. */
    public static final Set<String> PLACES = Set.of("elsewhere-in-school", "outside-school");

    private static final String ADD_NOTE = """
            INSERT INTO case_notes(incident_id, at, by_name, text, corrects) VALUES (:incident, :at, :by, :text, :corrects)
            RETURNING id""";
    private static final String NOTE_BELONGS = "SELECT count(*) FROM case_notes WHERE id = :note AND incident_id = :incident";
    private static final String NOTES = "SELECT id, at, by_name, text, corrects FROM case_notes WHERE incident_id = :incident ORDER BY id";
    private static final String ADD_ACTION = """
            INSERT INTO case_actions(incident_id, kind, reference, due, created_at, created_by)
            VALUES (:incident, :kind, :reference, :due, :at, :by) RETURNING id""";
    private static final String ACTION_DONE = """
            UPDATE case_actions SET done_at = :at, done_by = :by
            WHERE id = :action AND incident_id = :incident AND done_at IS NULL""";
    private static final String FLAG_OVERDUE = """
            UPDATE case_actions SET overdue_at = :now WHERE done_at IS NULL AND overdue_at IS NULL AND due < :now
            RETURNING id, incident_id, kind, due""";
    /** %s: nothing, or {@link #ONLY_ACTION}. */
    private static final String ACTIONS = """
            SELECT id, kind, reference, due, created_at, created_by, done_at, done_by, overdue_at
            FROM case_actions WHERE incident_id = :incident %s ORDER BY id""";
    private static final String ONLY_ACTION = "AND id = :action";

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
    public record Concern(RoomId room, String category, String summary, String url, String nature, ConcernAbout about,
                          IllegalContent illegal) {
    }

    /** Opens an incident with source concern, numbered and chained in the caller's transaction. */
    public Incident logConcern(Handle c, Concern concern, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        String report = ids.next().toString();
        incidents.openConcern(c, report, concern, who.name(), at);
        Incident opened = incidents.numbered(c, incidents.find(c, report)).orElseThrow();
        ObjectNode data = Json.object().put("incident", opened.id()).put("report", report).put("caseNumber", opened.caseNumber())
                .put("by", who.name()).put("role", who.role().wire()).put("about", concern.about().stored()).put("illegal", concern.illegal().stored())
                .put("category", concern.category()).put("summary", concern.summary()).put("url", concern.url())
                .put("nature", concern.nature());
        decisions.record(c, StaffDecisions.CONCERN_LOGGED, opened.room(), at, data);
        return opened;
    }

    /** A chained coordinator.concern-logged replayed onto the tables (Projector): the same row, its recorded number. */
    static void projectConcern(Handle c, Incidents incidents, RoomId room, Instant at, com.fasterxml.jackson.databind.JsonNode d)
            throws SQLException {
        String report = d.path("report").asText();
        incidents.openConcern(c, report, new Concern(room, text(d, "category"), text(d, "summary"), text(d, "url"), text(d, "nature"),
                recorded(ConcernAbout.class, d, "about"), recorded(IllegalContent.class, d, "illegal")), d.path("by").asText(), at);
        incidents.numbered(c, incidents.find(c, report));
    }

    /** A stored word of a chained concern; one no version wrote is an error naming the field, never a silent null. */
    private static <E extends Enum<E> & haven.store.Stored> E recorded(Class<E> type, com.fasterxml.jackson.databind.JsonNode d,
                                                                       String field) {
        return haven.store.Stored.find(type, d.path(field).asText()).orElseThrow(() -> new IllegalStateException(
                StaffDecisions.CONCERN_LOGGED + ": field '" + field + "' is not one of " + haven.store.Stored.words(type)));
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode d, String field) {
        return d.hasNonNull(field) ? d.get(field).asText() : null;
    }

    /** One append-only note of a case, as the dashboard reads it. */
    public record Note(long id, String at, String by, String text, Long corrects) {
    }

    /** One follow-up action, and whether it is past its due time and not done now. */
    public record Action(long id, String kind, String reference, String due, String createdAt, String createdBy, String doneAt,
                         String doneBy, String flaggedOverdueAt, boolean overdue) {
    }

    /** The case part of an incident's detail: notes (oldest first), actions, attachments. */
    public record CaseWork(List<Note> notes, List<Action> actions, List<CaseEvidence.Attachment> attachments) {
    }

    /** One note; {@code corrects} names an earlier note of the same incident, which stays as it was. */
    public Note addNote(Handle c, Incident incident, String text, Optional<Long> corrects, StaffSession who) throws SQLException {
        if (corrects.isPresent() && !noteBelongs(c, incident.id(), corrects.get())) {
            throw new IllegalArgumentException("corrects: no note " + corrects.get() + " on this incident");
        }
        Instant at = clock.instant();
        long id = c.createQuery(ADD_NOTE)
                .bind("incident", incident.id())
                .bind("at", at)
                .bind("by", who.name())
                .bind("text", text)
                .bindByType("corrects", corrects.orElse(null), Long.class)
                .mapTo(Long.class)
                .one();
        Note note = new Note(id, Json.time(at), who.name(), text, corrects.orElse(null));
        decisions.record(c, StaffDecisions.NOTE_ADDED, incident.room(), at, base(incident, who).put("note", id).put("text", text)
                .put("corrects", corrects.orElse(null)));
        return note;
    }

    private static boolean noteBelongs(Handle c, long incident, long note) {
        return c.createQuery(NOTE_BELONGS).bind("note", note).bind("incident", incident).mapTo(Long.class).one() > 0;
    }

    public Incident assign(Handle c, Incident incident, String to, StaffSession who) throws SQLException {
        incidents.assign(c, incident.id(), to);
        decisions.record(c, StaffDecisions.ASSIGNED, incident.room(), base(incident, who).put("to", to));
        return incidents.find(c, incident.id()).orElseThrow();
    }

    public Action addAction(Handle c, Incident incident, CaseActionKind kind, String reference, Instant due, StaffSession who)
            throws SQLException {
        Instant at = clock.instant();
        long id = c.createQuery(ADD_ACTION)
                .bind("incident", incident.id())
                .bind("kind", kind)
                .bind("reference", reference)
                .bind("due", due)
                .bind("at", at)
                .bind("by", who.name())
                .mapTo(Long.class)
                .one();
        decisions.record(c, StaffDecisions.ACTION_ADDED, incident.room(), at, base(incident, who).put("action", id)
                .put("kind", kind.stored()).put("reference", reference).put("due", Json.time(due)));
        return action(c, incident.id(), id).orElseThrow();
    }

    /** Marks an action done; empty when there is no such action on this incident or it was already done. */
    public Optional<Action> actionDone(Handle c, Incident incident, long action, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        int changed = c.createUpdate(ACTION_DONE)
                .bind("at", at)
                .bind("by", who.name())
                .bind("action", action)
                .bind("incident", incident.id())
                .execute();
        if (changed == 0) {
            return Optional.empty();
        }
        decisions.record(c, StaffDecisions.ACTION_DONE, incident.room(), at, base(incident, who).put("action", action));
        return action(c, incident.id(), action);
    }

    /** An action that is past due and not done, flagged once. */
    public record Overdue(Incident incident, long action, CaseActionKind kind, Instant due) {
    }

    /** Flags every action past its due time that is not done and not yet flagged; chained as the system's record. */
    public List<Overdue> flagOverdue(Handle c) throws SQLException {
        Instant now = clock.instant();
        record Row(long action, long incident, CaseActionKind kind, Instant due) {
        }
        // Listed before any decision is chained: the update's rows are read to the end first.
        List<Row> out = c.createQuery(FLAG_OVERDUE)
                .bind("now", now)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getLong("incident_id"),
                        ctx.findColumnMapperFor(CaseActionKind.class).orElseThrow().map(rs, "kind", ctx),
                        ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "due", ctx)))
                .list();
        List<Overdue> found = new ArrayList<>();
        for (Row o : out) {
            Incident incident = incidents.find(c, o.incident()).orElse(null);
            if (incident == null) {
                continue; // purged by retention since; the action row stays, like the log
            }
            decisions.record(c, StaffDecisions.ACTION_OVERDUE, incident.room(), now, Json.object().put("incident", incident.id())
                    .put("report", incident.reportId()).put("action", o.action()).put("kind", o.kind().stored())
                    .put("due", Json.time(o.due())));
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
        return Incidents.reopen(c, report);
    }

    /** The case part of an incident's detail: notes (oldest first) and actions with whether each is overdue now. */
    public CaseWork caseWork(Handle c, long incident) throws SQLException {
        List<Note> notes = c.createQuery(NOTES)
                .bind("incident", incident)
                .map((rs, ctx) -> {
                    long corrects = rs.getLong("corrects");
                    Long corrected = rs.wasNull() ? null : corrects;
                    return new Note(rs.getLong("id"), rs.getString("at"), rs.getString("by_name"), rs.getString("text"), corrected);
                })
                .list();
        return new CaseWork(notes, actions(c, incident, Optional.empty()), evidence.attachments(c, incident));
    }

    /** {@link #caseWork} as a tree: what the case bundle adds to the incident. */
    public ObjectNode json(Handle c, long incident) throws SQLException {
        return Json.MAPPER.valueToTree(caseWork(c, incident));
    }

    private Optional<Action> action(Handle c, long incident, long action) {
        return actions(c, incident, Optional.of(action)).stream().findFirst();
    }

    private List<Action> actions(Handle c, long incident, Optional<Long> only) {
        Instant now = clock.instant();
        var query = c.createQuery(ACTIONS.formatted(only.isPresent() ? ONLY_ACTION : "")).bind("incident", incident);
        only.ifPresent(id -> query.bind("action", id));
        return query.map((rs, ctx) -> {
            Instant due = ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "due", ctx);
            String done = rs.getString("done_at");
            return new Action(rs.getLong("id"), ctx.findColumnMapperFor(CaseActionKind.class).orElseThrow().map(rs, "kind", ctx).stored(),
                    rs.getString("reference"), rs.getString("due"), rs.getString("created_at"), rs.getString("created_by"), done,
                    rs.getString("done_by"), rs.getString("overdue_at"), done == null && due.isBefore(now));
        }).list();
    }

    private static ObjectNode base(Incident incident, StaffSession who) {
        return Json.object().put("incident", incident.id()).put("report", incident.reportId()).put("by", who.name())
                .put("role", who.role().wire());
    }
}
