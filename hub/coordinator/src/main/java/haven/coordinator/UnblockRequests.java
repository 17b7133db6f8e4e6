package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.store.Database;
import haven.store.Stored;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Temporary unblock requests (docs/FILTERING.md). Seed policy: "staff can request that the Technical Staff ...
 * temporarily remove those sites from the filtered list for the period of study. Any request to do so, will be
 * auditable, with clear reasons for the need", and the online-safety lead is informed. A member of staff asks
 * (sites, reason, class or group, from, until); the technician approves or refuses, with a reason. Each step is
 * a chained coordinator.* record and an audit row in the same transaction as the table change. Haven records and
 * reminds (a request past its end is flagged); the filter itself stays the school's product.
 */
public final class UnblockRequests {
    public static final int MAX_SITES = 20;
    public static final int MAX_SITE = 2048;
    public static final int MAX_REASON = 2000;
    public static final int MAX_GROUP = 100;
    /** "Temporarily": at most a school term. */
    public static final Duration MAX_PERIOD = Duration.ofDays(92);
    private static final Pattern HOST = Pattern.compile("(?i)(\\*\\.)?[a-z0-9]([a-z0-9-]{0,62})(\\.[a-z0-9]([a-z0-9-]{0,62}))+");
    private static final Pattern URL = Pattern.compile("(?i)https?://[^\\s]+");

    private static final String COLUMNS = "id, requested_at, requested_by, sites, reason, class_group, from_at, until_at, status, "
            + "decided_by, decided_at, decision_reason";
    private static final String INSERT = """
            INSERT INTO unblock_requests(requested_at, requested_by, sites, reason, class_group, from_at, until_at, status)
            VALUES (:requestedAt, :by, :sites, :reason, :group, :from, :until, :pending) RETURNING id""";
    /** The first decision stands: a second one updates no row. */
    private static final String DECIDE = """
            UPDATE unblock_requests SET status = :status, decided_by = :by, decided_at = :at, decision_reason = :reason
            WHERE id = :id AND status = :pending""";
    private static final String LATEST = "SELECT " + COLUMNS + " FROM unblock_requests ORDER BY id DESC LIMIT 500";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM unblock_requests WHERE id = :id";

    /** The stored words of {@code unblock_requests.status} (also the API's {@link Request#status()}). */
    enum Status implements Stored {
        PENDING("pending"), APPROVED("approved"), REFUSED("refused");

        private final String stored;

        Status(String stored) {
            this.stored = stored;
        }

        @Override
        public String stored() {
            return stored;
        }
    }

    private final Database db;
    private final AuditLog audit;
    private final Clock clock;
    private final StaffDecisions decisions;

    public UnblockRequests(Database db, AuditLog audit, Clock clock) {
        this.db = db;
        this.audit = audit;
        this.clock = clock;
        this.decisions = new StaffDecisions(clock);
    }

    /** One request as staff read it. {@code status}: pending, approved or refused. */
    public record Request(long id, Instant requestedAt, String requestedBy, List<String> sites, String reason, String group,
                          Instant from, Instant until, String status, Optional<String> decidedBy, Optional<Instant> decidedAt,
                          Optional<String> decisionReason) {
        /** The period of study is over. */
        public boolean pastUntil(Instant now) {
            return !now.isBefore(until);
        }

        /** Approved and over: the sites should be back on the filtered list (the reminder). */
        public boolean expired(Instant now) {
            return "approved".equals(status) && pastUntil(now);
        }

        /** The request as the unblock page reads it at {@code now}: undecided fields null, the two flags as of now. */
        public Body body(Instant now) {
            return new Body(id, requestedAt, requestedBy, sites, reason, group, from, until, status, decidedBy.orElse(null),
                    decidedAt.orElse(null), decisionReason.orElse(null), pastUntil(now), expired(now));
        }

        /** The same fields as the body, as a tree, for the live feed. */
        public ObjectNode toJson(Instant now) {
            return Json.MAPPER.valueToTree(body(now));
        }

        /** The answer body of one request (GET /api/unblock-requests lists them). */
        public record Body(long id, Instant requestedAt, String requestedBy, List<String> sites, String reason, String group,
                           Instant from, Instant until, String status, String decidedBy, Instant decidedAt,
                           String decisionReason, boolean pastUntil, boolean expired) {
        }
    }

    /** What a member of staff asked for, checked: every field is required and bounded. */
    public record Asked(List<String> sites, String reason, String group, Instant from, Instant until) {
        public static Asked from(JsonNode body) {
            JsonNode list = body.path("sites");
            if (!list.isArray() || list.isEmpty() || list.size() > MAX_SITES) {
                throw new IllegalArgumentException("field 'sites' must be a list of 1.." + MAX_SITES + " host names or http(s) URLs");
            }
            List<String> sites = new ArrayList<>();
            for (JsonNode n : list) {
                String site = n.asText("").strip();
                if (site.length() > MAX_SITE || !(HOST.matcher(site).matches() || URL.matcher(site).matches())) {
                    throw new IllegalArgumentException("field 'sites' must hold host names (example.org) or http(s) URLs");
                }
                sites.add(site);
            }
            String reason = required(body, "reason", MAX_REASON);
            String group = required(body, "group", MAX_GROUP);
            Instant from = time(body, "from");
            Instant until = time(body, "until");
            if (!until.isAfter(from) || Duration.between(from, until).compareTo(MAX_PERIOD) > 0) {
                throw new IllegalArgumentException("field 'until' must be after 'from' and at most " + MAX_PERIOD.toDays()
                        + " days later: an unblock is temporary");
            }
            return new Asked(List.copyOf(sites), reason, group, from, until);
        }
    }

    private static String required(JsonNode body, String field, int max) {
        String value = body.path(field).asText("").strip();
        if (value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException("field '" + field + "' must be 1.." + max + " characters");
        }
        return value;
    }

    private static Instant time(JsonNode body, String field) {
        try {
            return Instant.parse(body.path(field).asText(""));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field '" + field + "' must be an ISO-8601 time like 2026-12-01T09:00:00Z");
        }
    }

    public Request request(Asked asked, StaffSession who) throws SQLException {
        Instant now = clock.instant();
        if (asked.until().isBefore(now)) {
            throw new IllegalArgumentException("field 'until' is in the past: the period of study is over");
        }
        return db.transaction(c -> {
            ArrayNode sites = Json.array();
            asked.sites().forEach(sites::add);
            long id = c.createQuery(INSERT)
                    .bind("requestedAt", now)
                    .bind("by", who.name())
                    .bind("sites", Json.write(sites))
                    .bind("reason", asked.reason())
                    .bind("group", asked.group())
                    .bind("from", asked.from())
                    .bind("until", asked.until())
                    .bind("pending", Status.PENDING)
                    .mapTo(long.class)
                    .one();
            audit.record(c, who.name(), "unblock-request", "request=" + id);
            ObjectNode data = Json.object().put("request", id);
            data.set("sites", sites);
            data.put("reason", asked.reason()).put("group", asked.group()).put("from", Json.time(asked.from()))
                    .put("until", Json.time(asked.until())).put("by", who.name()).put("role", who.role().wire());
            decisions.record(c, StaffDecisions.UNBLOCK_REQUESTED, StaffDecisions.SCHOOL, now, data);
            return find(c, id).orElseThrow();
        });
    }

    public enum Outcome { DECIDED, NO_SUCH_REQUEST, ALREADY_DECIDED, PERIOD_OVER }

    public record Decision(Outcome outcome, Optional<Request> request) {
    }

    /** The one rule for a decision's reason: the route checks a body with it, before any look-up. */
    public static String requireDecisionReason(String reason) {
        if (reason == null || reason.isBlank() || reason.strip().length() > MAX_REASON) {
            throw new IllegalArgumentException("field 'reason' must be 1.." + MAX_REASON + " characters");
        }
        return reason;
    }

    /** The technician's decision, once; a request whose period is over can no longer be approved. */
    public Decision decide(long id, boolean approve, String reason, StaffSession who) throws SQLException {
        requireDecisionReason(reason);
        Instant now = clock.instant();
        Status decided = approve ? Status.APPROVED : Status.REFUSED;
        String status = decided.stored();
        return db.transaction(c -> {
            Optional<Request> found = find(c, id);
            if (found.isEmpty()) {
                return new Decision(Outcome.NO_SUCH_REQUEST, Optional.empty());
            }
            if (!Status.PENDING.stored().equals(found.get().status())) {
                return new Decision(Outcome.ALREADY_DECIDED, found);
            }
            if (approve && found.get().pastUntil(now)) {
                return new Decision(Outcome.PERIOD_OVER, found);
            }
            c.createUpdate(DECIDE)
                    .bind("status", decided)
                    .bind("by", who.name())
                    .bind("at", now)
                    .bind("reason", reason.strip())
                    .bind("id", id)
                    .bind("pending", Status.PENDING)
                    .execute();
            audit.record(c, who.name(), "unblock-decision", "request=" + id + " " + status);
            decisions.record(c, StaffDecisions.UNBLOCK_DECIDED, StaffDecisions.SCHOOL, now, Json.object().put("request", id)
                    .put("decision", status).put("reason", reason.strip()).put("by", who.name()).put("role", who.role().wire()));
            return new Decision(Outcome.DECIDED, find(c, id));
        });
    }

    /** Newest first, as far as this viewer may see them; the read is audited. */
    public List<Request> list(StaffSession viewer) throws SQLException {
        return db.transaction(c -> {
            audit.record(c, viewer.name(), "view-unblock-requests", "latest 500");
            List<Request> out = new ArrayList<>();
            c.createQuery(LATEST).map(UnblockRequests::from).forEach(r -> {
                if (Visibility.unblockRequest(r.requestedBy(), viewer)) {
                    out.add(r);
                }
            });
            return out;
        });
    }

    public Instant now() {
        return clock.instant();
    }

    private static Optional<Request> find(Handle c, long id) throws SQLException {
        return c.createQuery(BY_ID).bind("id", id).map(UnblockRequests::from).findOne();
    }

    private static Request from(ResultSet rs, StatementContext ctx) throws SQLException {
        List<String> sites = new ArrayList<>();
        Json.parse(rs.getString("sites").getBytes(StandardCharsets.UTF_8)).forEach(n -> sites.add(n.asText()));
        // status is read through its enum, so a word the table should never hold is an error naming the column.
        Status status = ctx.findColumnMapperFor(Status.class).orElseThrow().map(rs, "status", ctx);
        return new Request(rs.getLong("id"), time(rs, "requested_at", ctx), rs.getString("requested_by"), List.copyOf(sites),
                rs.getString("reason"), rs.getString("class_group"), time(rs, "from_at", ctx), time(rs, "until_at", ctx),
                status.stored(), Optional.ofNullable(rs.getString("decided_by")), Optional.ofNullable(time(rs, "decided_at", ctx)),
                Optional.ofNullable(rs.getString("decision_reason")));
    }

    private static Instant time(ResultSet rs, String column, StatementContext ctx) throws SQLException {
        return ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, column, ctx);
    }
}
