package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import haven.store.Dialect;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.result.ResultIterator;

/**
 * Everything `haven verify-log` checks, in order, stopping at the first finding (docs/EVIDENCE.md has the
 * tamper table): the purge guard is off; the event chain; the latest purge checkpoint has its chained
 * coordinator.purged record; what each given hub database witnessed ({@link HubWitness}); every column
 * stored beside the hashed payload (site, room, seq, type, at) against the payload; the audit chain; each
 * incident's decision columns (status, who acknowledged and when, closure, outcome, notes, URL, nature,
 * escalation) against the staff decisions chained in the log; and the incidents, rooms and isolations
 * tables against the same tables rebuilt from the log ({@link haven.coordinator.Projections}). Read-only.
 *
 * <p>The log's own rows are read through {@link EventLog}. The audit, incidents and pre-chain decisions
 * statements below are the check's own reads of those tables, column for column as they are compared.
 */
public final class EvidenceCheck {
    private static final String AUDIT_CHAIN = "SELECT id, at, actor, action, target, prev_hash, hash FROM audit ORDER BY id";
    /** %s: the case-work columns, on a database that has them. */
    private static final String INCIDENT_DECISIONS = """
            SELECT id, report_id, status, acked_at, acked_by, closed_at, closed_by, outcome, notes, url, nature, escalated_at%s
            FROM incidents ORDER BY id""";
    private static final String CASE_COLUMNS = ", assigned_to, illegal, about, logged_by";
    private static final String BEFORE_CHAIN = """
            SELECT report_id, acked_at, acked_by, closed_at, closed_by, outcome, notes, url, nature, escalated_at
            FROM decisions_before_chain""";
    /** The first thing found wrong: the table, the row (as a person would look it up) and why. */
    public record Finding(String table, String row, String reason) {
        @Override
        public String toString() {
            return table + " " + row + ": " + reason;
        }
    }

    public record Result(long events, long auditRows, long incidents, long hubEventsWitnessed, long headsWitnessed,
                         Optional<Finding> finding) {
        public boolean intact() {
            return finding.isEmpty();
        }
    }

    private EvidenceCheck() {
    }

    public static Result run(Handle c) throws SQLException {
        return run(c, java.util.List.of());
    }

    /**
     * As {@link #run(Handle)}, and after the chain, against what each hub database witnessed: its sent
     * events are in the log and each chain head it saw is in the chain at that position ({@link HubWitness}).
     */
    public static Result run(Handle c, java.util.List<java.nio.file.Path> hubDbs) throws SQLException {
        return check(c, hubDbs, x -> haven.coordinator.Projections.rebuilt(x, rebuilt -> haven.coordinator.Projections.compare(x, rebuilt))
                .map(d -> new Finding(d.table(), d.row(), d.reason())));
    }

    /** The last step of a check: what the tables are compared with once everything before it held. */
    @FunctionalInterface
    private interface LastStep {
        Optional<Finding> run(Handle c) throws SQLException;
    }

    /** The steps in order, stopping at the first finding; {@code last} is the whole log rebuilt, or one incident's part. */
    private static Result check(Handle c, java.util.List<java.nio.file.Path> hubDbs, LastStep last) throws SQLException {
        Optional<Finding> found = purgeGuard(c);
        EventLog.Verification chain = EventLog.verify(c);
        if (found.isEmpty() && chain.firstBreak().isPresent()) {
            EventLog.Break b = chain.firstBreak().get();
            found = Optional.of(new Finding("events", "position " + b.position() + " (event " + b.eventId() + ")", b.reason()));
        }
        if (found.isEmpty()) {
            found = checkpoint(c);
        }
        long[] witnessed = {0, 0};
        for (java.nio.file.Path hubDb : hubDbs) {
            if (found.isEmpty()) {
                found = HubWitness.check(c, hubDb, witnessed);
            }
        }
        Map<String, Decided> decided = new HashMap<>();
        java.util.Set<String> reports = new java.util.HashSet<>();
        if (found.isEmpty()) {
            found = columnsAndDecisions(c, decided, reports);
        }
        long[] auditRows = {0};
        if (found.isEmpty()) {
            found = audit(c, auditRows);
        }
        long[] incidents = {0};
        if (found.isEmpty()) {
            found = incidents(c, decided, reports, incidents);
        }
        if (found.isEmpty()) {
            found = last.run(c);
        }
        return new Result(chain.checked(), auditRows[0], incidents[0], witnessed[0], witnessed[1], found);
    }

    /**
     * A retention purge leaves a checkpoint row, and chains a coordinator.purged record saying the same
     * (position, hash, count) in the same transaction. A checkpoint with no such record behind it was made
     * by hand: the purge flag used to cut the start of the log.
     */
    private static Optional<Finding> checkpoint(Handle c) throws SQLException {
        Optional<EventLog.Checkpoint> latest = EventLog.latestCheckpoint(c);
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        EventLog.Checkpoint cp = latest.get();
        for (JsonNode purge : HubWitness.purgeRecords(c)) {
            if (purge.path("upToPosition").asLong() == cp.upToPosition() && cp.hash().equals(purge.path("hash").asText())
                    && purge.path("events").asLong() == cp.purgedEvents()) {
                return Optional.empty();
            }
        }
        return Optional.of(new Finding("chain_checkpoints", "id " + cp.id(),
                "no coordinator.purged record in the log stands behind this checkpoint: the start of the log was cut by hand"));
    }

    /**
     * The part of the check that covers one incident, for an export: the purge guard, the whole chain and
     * its checkpoint, the stored columns, the audit chain, the incidents against their decisions, and this
     * incident's row rebuilt from its own entries of the log. The hubs' witness needs their databases, so it
     * stays with `haven verify-log --hub-db`.
     */
    public static Result forIncident(Handle c, String reportId) throws SQLException {
        return check(c, java.util.List.of(), x -> haven.coordinator.Projections.compareIncident(x, reportId)
                .map(d -> new Finding(d.table(), d.row(), d.reason())));
    }

    /** The flag row that lets events be deleted exists only inside a purge's own transaction; seen from outside, it is a bypass. */
    private static Optional<Finding> purgeGuard(Handle c) throws SQLException {
        return EventLog.purgeFlags(c) == 0 ? Optional.empty() : Optional.of(new Finding("purge_in_progress", "any row",
                "holds a row outside a purge: the guard that keeps events append-only is switched off"));
    }

    /** What the chained staff decisions say about one report. */
    private static final class Decided {
        String ackedAt;
        String ackedBy;
        String closedAt;
        String closedBy;
        String outcome;
        String notes;
        String url;
        String nature;
        String escalatedAt;
        String assignedTo;
        String illegal;
        String about;
        String loggedBy;
    }

    private static Optional<Finding> columnsAndDecisions(Handle c, Map<String, Decided> decided, java.util.Set<String> reports)
            throws SQLException {
        return EventLog.eachStored(c, e -> {
            JsonNode p = Json.parse(e.payload().getBytes(StandardCharsets.UTF_8));
            String row = "position " + e.pos() + " (event " + e.id() + ")";
            String[][] pairs = {{"site", e.site()}, {"room", e.room()}, {"seq", Long.toString(e.seq())}, {"type", e.type()}, {"at", e.at()}};
            for (String[] pair : pairs) {
                if (!p.path(pair[0]).asText().equals(pair[1])) {
                    return Optional.of(new Finding("events", row, "column " + pair[0] + " does not match the hashed payload"));
                }
            }
            fold(p, decided);
            // A concern is opened by the member of staff who logged it, chained like any decision.
            // A remote isolation opens its case by the chained request (docs/CASEWORK.md).
            if ((StaffDecisions.CONCERN_LOGGED.equals(p.path("type").asText())
                    || StaffDecisions.ISOLATION_REQUESTED.equals(p.path("type").asText())) && p.path("data").hasNonNull("report")) {
                reports.add(p.path("data").get("report").asText());
            }
            if (p.path("seq").asLong() > 0) {
                reports.add(p.path("id").asText());
                if (p.path("data").hasNonNull("report")) {
                    reports.add(p.path("data").get("report").asText());
                }
            }
            return Optional.empty();
        });
    }

    private static void fold(JsonNode p, Map<String, Decided> decided) {
        String type = p.path("type").asText();
        JsonNode d = p.path("data");
        if (!type.startsWith("coordinator.") || !d.hasNonNull("report")) {
            return;
        }
        Decided x = decided.computeIfAbsent(d.get("report").asText(), k -> new Decided());
        String at = p.path("at").asText();
        switch (type) {
            case StaffDecisions.ACKNOWLEDGED -> {
                x.ackedAt = at;
                x.ackedBy = d.path("by").asText();
            }
            case StaffDecisions.CLOSED -> {
                x.closedAt = at;
                x.closedBy = d.path("by").asText();
                x.outcome = d.path("outcome").asText();
                x.notes = text(d, "notes");
                // A closing that names no URL or nature keeps what the concern recorded (Incidents.close).
                x.url = d.hasNonNull("url") ? text(d, "url") : x.url;
                x.nature = d.hasNonNull("nature") ? text(d, "nature") : x.nature;
            }
            case StaffDecisions.CONCERN_LOGGED -> {
                x.url = text(d, "url");
                x.nature = text(d, "nature");
                x.illegal = text(d, "illegal");
                x.about = text(d, "about");
                x.loggedBy = text(d, "by");
            }
            case StaffDecisions.ASSIGNED -> x.assignedTo = text(d, "to");
            case StaffDecisions.ILLEGAL_CHANGED -> x.illegal = text(d, "illegal");
            case StaffDecisions.REOPENED -> {
                x.closedAt = null;
                x.closedBy = null;
                x.outcome = null;
            }
            case StaffDecisions.ESCALATED -> x.escalatedAt = at;
            default -> {
            }
        }
    }

    private static String text(JsonNode d, String field) {
        return d.hasNonNull(field) ? d.get(field).asText() : null;
    }

    private static Optional<Finding> audit(Handle c, long[] count) throws SQLException {
        try (ResultSet columns = c.getConnection().getMetaData().getColumns(null, null, "audit", "hash")) {
            if (!columns.next()) {
                return Optional.empty(); // a database from before the audit chain (migration V8)
            }
        }
        String prev = null;
        try (ResultIterator<AuditRow> rows = c.createQuery(AUDIT_CHAIN)
                .map((rs, ctx) -> new AuditRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7)))
                .iterator()) {
            while (rows.hasNext()) {
                AuditRow a = rows.next();
                String row = "id " + a.id();
                if (a.hash() == null) {
                    if (prev != null) {
                        return Optional.of(new Finding("audit", row, "row has no hash after the chain began"));
                    }
                    continue; // written before the audit chain existed (migration V8)
                }
                // The first chained row starts from the genesis hash: removing the start of the chain is caught too.
                String expectedPrev = prev == null ? EventLog.GENESIS : prev;
                if (!expectedPrev.equals(a.prevHash())) {
                    return Optional.of(new Finding("audit", row, "previous hash does not match the row before"));
                }
                String expected = EventLog.chain(expectedPrev, AuditLog.canonical(a.at(), a.actor(), a.action(), a.target()));
                if (!expected.equals(a.hash())) {
                    return Optional.of(new Finding("audit", row, "hash does not match the row's content"));
                }
                prev = a.hash();
                count[0]++;
            }
        }
        return Optional.empty();
    }

    /** One audit row, every column its hash covers as stored. */
    private record AuditRow(long id, String at, String actor, String action, String target, String prevHash, String hash) {
    }

    private static Optional<Finding> incidents(Handle c, Map<String, Decided> decided, java.util.Set<String> reports, long[] count)
            throws SQLException {
        Map<String, Decided> beforeChain = beforeChain(c);
        boolean caseColumns = hasColumn(c, "incidents", "assigned_to"); // a database from before case work (V40) has none
        try (ResultIterator<String[]> rows = c.createQuery(INCIDENT_DECISIONS.formatted(caseColumns ? CASE_COLUMNS : ""))
                .map((rs, ctx) -> columnTexts(rs))
                .iterator()) {
            while (rows.hasNext()) {
                String[] r = rows.next();
                String row = "id " + r[0];
                if (!reports.contains(r[1])) {
                    return Optional.of(new Finding("incidents", row, "no hub event in the evidence log opened this incident"));
                }
                // What was decided before decisions were chained (kept once at the upgrade), then what the chain says.
                Decided x = overlay(beforeChain.get(r[1]), decided.get(r[1]));
                String status = x.closedAt != null ? "closed" : x.ackedAt != null ? "acknowledged" : x.escalatedAt != null ? "escalated" : "open";
                Object[][] columns = {{"status", status, r[2]}, {"acked_at", x.ackedAt, r[3]},
                        {"acked_by", x.ackedBy, r[4]}, {"closed_at", x.closedAt, r[5]},
                        {"closed_by", x.closedBy, r[6]}, {"outcome", x.outcome, r[7]},
                        {"notes", x.notes, r[8]}, {"url", x.url, r[9]}, {"nature", x.nature, r[10]},
                        {"escalated_at", x.escalatedAt, r[11]},
                        {"assigned_to", x.assignedTo, caseColumns ? r[12] : null},
                        {"illegal", x.illegal, caseColumns ? r[13] : null},
                        // Who a concern is about routes it (Visibility): a rewritten `about` would show a case about the head to others.
                        {"about", x.about, caseColumns ? r[14] : null},
                        {"logged_by", x.loggedBy, caseColumns ? r[15] : null}};
                for (Object[] col : columns) {
                    if (!Objects.equals(col[1], col[2])) {
                        return Optional.of(new Finding("incidents", row, "column " + col[0]
                                + " does not match the staff decisions in the evidence log"));
                    }
                }
                count[0]++;
            }
        }
        return Optional.empty();
    }

    /** Every column of a row as its stored text: the check compares text with the text the log holds. */
    private static String[] columnTexts(ResultSet rs) throws SQLException {
        String[] out = new String[rs.getMetaData().getColumnCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rs.getString(i + 1);
        }
        return out;
    }

    private static boolean hasColumn(Handle c, String table, String column) throws SQLException {
        try (ResultSet columns = c.getConnection().getMetaData().getColumns(null, null, table, column)) {
            return columns.next();
        }
    }

    /** Decisions an upgraded database held before they were chained (migration V10), by report id. */
    private static Map<String, Decided> beforeChain(Handle c) throws SQLException {
        Map<String, Decided> out = new java.util.HashMap<>();
        if (!Dialect.of(c).hasTable(c, "decisions_before_chain")) {
            return out;
        }
        c.createQuery(BEFORE_CHAIN).map((rs, ctx) -> columnTexts(rs)).forEach(r -> {
            Decided d = new Decided();
            d.ackedAt = r[1];
            d.ackedBy = r[2];
            d.closedAt = r[3];
            d.closedBy = r[4];
            d.outcome = r[5];
            d.notes = r[6];
            d.url = r[7];
            d.nature = r[8];
            d.escalatedAt = r[9];
            out.put(r[0], d);
        });
        return out;
    }

    private static Decided overlay(Decided before, Decided chained) {
        Decided out = new Decided();
        for (Decided d : new Decided[] {before, chained}) {
            if (d == null) {
                continue;
            }
            out.ackedAt = d.ackedAt != null ? d.ackedAt : out.ackedAt;
            out.ackedBy = d.ackedBy != null ? d.ackedBy : out.ackedBy;
            out.closedAt = d.closedAt != null ? d.closedAt : out.closedAt;
            out.closedBy = d.closedBy != null ? d.closedBy : out.closedBy;
            out.outcome = d.outcome != null ? d.outcome : out.outcome;
            out.notes = d.notes != null ? d.notes : out.notes;
            out.url = d.url != null ? d.url : out.url;
            out.nature = d.nature != null ? d.nature : out.nature;
            out.escalatedAt = d.escalatedAt != null ? d.escalatedAt : out.escalatedAt;
            out.assignedTo = d.assignedTo != null ? d.assignedTo : out.assignedTo;
            out.illegal = d.illegal != null ? d.illegal : out.illegal;
            out.about = d.about != null ? d.about : out.about;
            out.loggedBy = d.loggedBy != null ? d.loggedBy : out.loggedBy;
        }
        return out;
    }
}
