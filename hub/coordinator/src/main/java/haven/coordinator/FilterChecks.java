package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.FilterResult;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DfE check log: every filter check a hub ran (its filter.checked event, already in the chained event log)
 * with what staff recorded as the resulting action. The DfE Filtering and Monitoring Standards ask for each
 * check to be recorded with when it took place, who did it, what was tested and the resulting actions; seed 002
 * asks senior staff to "ensure regular checks are made to ensure the filtering methods selected are
 * appropriate, effective and reasonable". A failed check (something expected blocked was reachable) opens an
 * incident with source filter-check for the technician ({@link Incidents}, at ingest); recording the action
 * closes it, chained like every incident change. Owns the {@code filter_check_actions} table.
 */
public final class FilterChecks {
    private static final String LIST = """
            SELECT e.id, e.site, e.room, e.at, e.received_at, e.payload, a.action, a.recorded_by, a.recorded_at,
                   i.id, i.status
            FROM events e LEFT JOIN filter_check_actions a ON a.event_id = e.id
            LEFT JOIN incidents i ON i.report_id = e.id
            WHERE e.type = 'filter.checked' ORDER BY e.pos DESC LIMIT :limit""";
    private static final String ACTION_EXISTS = "SELECT 1 FROM filter_check_actions WHERE event_id = :eventId";
    private static final String INSERT_ACTION = """
            INSERT INTO filter_check_actions(event_id, action, recorded_by, recorded_at)
            VALUES (:eventId, :action, :recordedBy, :recordedAt)""";
    private static final String EVENT_ROOM = "SELECT site, room FROM events WHERE id = :id";

    public static final int MAX_ACTION = 2000;

    private final Database db;
    private final AuditLog audit;
    private final Clock clock;
    private final Incidents incidents;
    private final Changes feed;
    private final StaffDecisions decisions;

    public FilterChecks(Database db, AuditLog audit, Clock clock, Incidents incidents, Changes feed) {
        this.db = db;
        this.audit = audit;
        this.clock = clock;
        this.incidents = incidents;
        this.feed = feed;
        this.decisions = new StaffDecisions(clock);
    }

    /** One check as staff read it. {@code at} is the coordinator's receive time; {@code hubAt} the hub's clock. */
    public record Entry(String id, Instant at, Instant hubAt, String by, RoomId room, List<FilterResult> results,
                        Optional<String> action, Optional<String> actionBy, Optional<Instant> actionAt,
                        Optional<Long> incidentId, Optional<IncidentStatus> incidentStatus) {
        public boolean failed() {
            return results.stream().anyMatch(FilterResult::failed);
        }

        /**
         * open: failed and its incident not closed; closed: failed and acted on (or its incident closed the
         * normal way); none: passed. A check logged before failed checks opened incidents has none: it is open
         * until an action is recorded.
         */
        public String incident() {
            if (!failed()) {
                return "none";
            }
            if (incidentStatus.isPresent()) {
                return incidentStatus.get() == IncidentStatus.CLOSED ? "closed" : "open";
            }
            return action.isPresent() ? "closed" : "open";
        }

        /**
         * The check as the log page reads it. Each result is written as the hub's filter.checked event holds it
         * ({@link FilterResult#toJson}, the contract's form); without an action, actionBy and actionAt are left out.
         */
        public Body body() {
            return new Body(id, at, hubAt, by, room.site(), room.room(), results.stream().<JsonNode>map(FilterResult::toJson).toList(),
                    failed(), incident(), incidentId.orElse(null), action.orElse(null),
                    action.isPresent() ? actionBy.orElse("") : null,
                    action.isPresent() ? actionAt.map(Json::time).orElse("") : null);
        }

        /** The answer body of one check (GET /api/filter-checks lists them, newest first). */
        public record Body(String id, Instant at, Instant hubAt, String by, String site, String room, List<JsonNode> results,
                           boolean failed, String incident, Long incidentId, String action,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String actionBy,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String actionAt) {
        }
    }

    /** Newest first, at most {@code limit}. */
    public List<Entry> list(int limit) throws SQLException {
        return db.query(c -> {
            return c.createQuery(LIST).bind("limit", limit).map((rs, ctx) -> {
                        JsonNode data = Json.parse(rs.getString(6).getBytes(StandardCharsets.UTF_8)).path("data");
                        List<FilterResult> results = new ArrayList<>();
                        data.path("results").forEach(r -> results.add(FilterResult.fromJson(r)));
                        return new Entry(rs.getString(1), Instant.parse(rs.getString(5)), Instant.parse(rs.getString(4)),
                                data.path("by").asText("schedule"), new RoomId(rs.getString(2), rs.getString(3)), results,
                                Optional.ofNullable(rs.getString(7)), Optional.ofNullable(rs.getString(8)),
                                Optional.ofNullable(rs.getString(9)).map(Instant::parse),
                                Optional.ofNullable(rs.getObject(10)).map(n -> ((Number) n).longValue()),
                                Optional.ofNullable(ctx.findColumnMapperFor(IncidentStatus.class).orElseThrow().map(rs, 11, ctx)));
                    }).list();
        });
    }

    public Optional<Entry> find(String id) throws SQLException {
        return list(100_000).stream().filter(e -> e.id().equals(id)).findFirst();
    }

    public enum Recorded { RECORDED, NO_SUCH_CHECK, ALREADY_RECORDED }

    /**
     * Records the resulting action of a check once (a correction is a new note in the audit log, not an edit):
     * chained as coordinator.filter-action, and when it closes the check's incident, coordinator.closed too,
     * in the same transaction.
     */
    /** The one rule for a recorded action's text: the route checks a body with it, before any look-up. */
    public static String requireAction(String action) {
        if (action == null || action.isBlank() || action.length() > MAX_ACTION) {
            throw new IllegalArgumentException("field 'action' must be 1.." + MAX_ACTION + " characters");
        }
        return action;
    }

    public Recorded recordAction(String id, String action, StaffSession who) throws SQLException {
        String by = who.name();
        requireAction(action);
        if (find(id).isEmpty()) {
            return Recorded.NO_SUCH_CHECK;
        }
        List<Incident> closed = new ArrayList<>();
        Recorded result = db.transaction(c -> {
            if (c.createQuery(ACTION_EXISTS).bind("eventId", id).mapTo(Integer.class).findOne().isPresent()) {
                return Recorded.ALREADY_RECORDED;
            }
            c.createUpdate(INSERT_ACTION).bind("eventId", id).bind("action", action.strip()).bind("recordedBy", by)
                    .bind("recordedAt", clock.instant()).execute();
            audit.record(c, by, "filter-check-action", "check=" + id);
            Instant at = clock.instant();
            RoomId room = find(c, id);
            decisions.record(c, StaffDecisions.FILTER_ACTION, room, at, Json.object().put("check", id).put("action", action.strip())
                    .put("by", by).put("role", who.role().wire()));
            Optional<Incident> open = incidents.find(c, id).filter(i -> !i.closed());
            if (open.isPresent()) {
                Incidents.Closing closing = new Incidents.Closing(CloseOutcome.FILTER_ACTION_RECORDED, action.strip(), null, null);
                Optional<Incident> done = incidents.close(c, open.get().id(), by, closing, at);
                if (done.isPresent()) {
                    audit.record(c, by, "close", "incident=" + done.get().id() + " outcome=" + closing.outcome().stored());
                    decisions.record(c, StaffDecisions.CLOSED, room, at, Json.object().put("incident", done.get().id())
                            .put("report", id).put("by", by).put("role", who.role().wire()).put("outcome", closing.outcome().stored())
                            .put("notes", closing.notes()).putNull("url").putNull("nature"));
                    closed.add(done.get());
                }
            }
            return Recorded.RECORDED;
        });
        closed.forEach(feed::incidentChanged); // after the commit, as ingest does
        return result;
    }

    /** The room of a logged check, inside the caller's transaction. */
    private static RoomId find(Handle c, String id) throws SQLException {
        return c.createQuery(EVENT_ROOM).bind("id", id).map((rs, ctx) -> new RoomId(rs.getString(1), rs.getString(2))).one();
    }

    /** The log as CSV, one row per target tried (spreadsheet-friendly; formulas neutralised). */
    public String csv(int limit) throws SQLException {
        StringBuilder out = new StringBuilder("at,by,site,room,category,target,expected,result,evidence,action,action_by,action_at\r\n");
        for (Entry e : list(limit)) {
            for (FilterResult r : e.results()) {
                out.append(String.join(",", cell(Json.time(e.at())), cell(e.by()), cell(e.room().site()), cell(e.room().room()),
                        cell(r.category()), cell(r.target()), cell(r.expected()), cell(r.result()), cell(Json.write(r.evidence())),
                        cell(e.action().orElse("")), cell(e.actionBy().orElse("")), cell(e.actionAt().map(Json::time).orElse(""))))
                        .append("\r\n");
            }
        }
        return out.toString();
    }

    /** A CSV cell: quoted, and a leading formula character neutralised. */
    static String cell(String text) {
        String t = text;
        if (!t.isEmpty() && "=+-@\t\r".indexOf(t.charAt(0)) >= 0) {
            t = "'" + t; // a spreadsheet must not run a target URL or a note as a formula
        }
        return "\"" + t.replace("\"", "\"\"") + "\"";
    }
}
