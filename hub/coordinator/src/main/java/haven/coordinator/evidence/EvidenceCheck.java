package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import haven.store.Dialect;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything `haven verify-log` checks, in order, stopping at the first finding (docs/EVIDENCE.md has the
 * tamper table): the purge guard is off; the event chain; the latest purge checkpoint has its chained
 * coordinator.purged record; what each given hub database witnessed ({@link HubWitness}); every column
 * stored beside the hashed payload (site, room, seq, type, at) against the payload; the audit chain; each
 * incident's decision columns (status, who acknowledged and when, closure, outcome, notes, URL, nature,
 * escalation) against the staff decisions chained in the log; and the incidents, rooms and isolations
 * tables against the same tables rebuilt from the log ({@link haven.coordinator.Projections}). Read-only.
 */
public final class EvidenceCheck {
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
     * As {@link #run(Connection)}, and after the chain, against what each hub database witnessed: its sent
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
        if (!Dialect.of(c).hasTable(c, "chain_checkpoints")) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "SELECT id, up_to_pos, hash, purged_events FROM chain_checkpoints ORDER BY up_to_pos DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            for (JsonNode purge : HubWitness.purgeRecords(c)) {
                if (purge.path("upToPosition").asLong() == rs.getLong(2) && rs.getString(3).equals(purge.path("hash").asText())
                        && purge.path("events").asLong() == rs.getLong(4)) {
                    return Optional.empty();
                }
            }
            return Optional.of(new Finding("chain_checkpoints", "id " + rs.getLong(1),
                    "no coordinator.purged record in the log stands behind this checkpoint: the start of the log was cut by hand"));
        }
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
        if (!Dialect.of(c).hasTable(c, "purge_in_progress")) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT count(*) FROM purge_in_progress"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) == 0 ? Optional.empty() : Optional.of(new Finding("purge_in_progress", "any row",
                    "holds a row outside a purge: the guard that keeps events append-only is switched off"));
        }
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
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT pos, id, site, room, seq, type, at, payload FROM events ORDER BY pos");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                JsonNode p = Json.parse(rs.getString(8).getBytes(StandardCharsets.UTF_8));
                String row = "position " + rs.getLong(1) + " (event " + rs.getString(2) + ")";
                String[][] pairs = {{"site", rs.getString(3)}, {"room", rs.getString(4)}, {"seq", Long.toString(rs.getLong(5))},
                        {"type", rs.getString(6)}, {"at", rs.getString(7)}};
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
            }
        }
        return Optional.empty();
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
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT id, at, actor, action, target, prev_hash, hash FROM audit ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String row = "id " + rs.getLong(1);
                String hash = rs.getString(7);
                if (hash == null) {
                    if (prev != null) {
                        return Optional.of(new Finding("audit", row, "row has no hash after the chain began"));
                    }
                    continue; // written before the audit chain existed (migration V8)
                }
                // The first chained row starts from the genesis hash: removing the start of the chain is caught too.
                String expectedPrev = prev == null ? EventLog.GENESIS : prev;
                if (!expectedPrev.equals(rs.getString(6))) {
                    return Optional.of(new Finding("audit", row, "previous hash does not match the row before"));
                }
                String expected = EventLog.chain(expectedPrev, AuditLog.canonical(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                if (!expected.equals(hash)) {
                    return Optional.of(new Finding("audit", row, "hash does not match the row's content"));
                }
                prev = hash;
                count[0]++;
            }
        }
        return Optional.empty();
    }

    private static Optional<Finding> incidents(Handle c, Map<String, Decided> decided, java.util.Set<String> reports, long[] count)
            throws SQLException {
        Map<String, Decided> beforeChain = beforeChain(c);
        boolean caseColumns = hasColumn(c, "incidents", "assigned_to"); // a database from before case work (V40) has none
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                SELECT id, report_id, status, acked_at, acked_by, closed_at, closed_by, outcome, notes, url, nature, escalated_at%s
                FROM incidents ORDER BY id""".formatted(caseColumns ? ", assigned_to, illegal, about, logged_by" : "")); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (!reports.contains(rs.getString(2))) {
                    return Optional.of(new Finding("incidents", "id " + rs.getLong(1), "no hub event in the evidence log opened this incident"));
                }
                // What was decided before decisions were chained (kept once at the upgrade), then what the chain says.
                Decided x = overlay(beforeChain.get(rs.getString(2)), decided.get(rs.getString(2)));
                String status = x.closedAt != null ? "closed" : x.ackedAt != null ? "acknowledged" : x.escalatedAt != null ? "escalated" : "open";
                Object[][] columns = {{"status", status, rs.getString(3)}, {"acked_at", x.ackedAt, rs.getString(4)},
                        {"acked_by", x.ackedBy, rs.getString(5)}, {"closed_at", x.closedAt, rs.getString(6)},
                        {"closed_by", x.closedBy, rs.getString(7)}, {"outcome", x.outcome, rs.getString(8)},
                        {"notes", x.notes, rs.getString(9)}, {"url", x.url, rs.getString(10)}, {"nature", x.nature, rs.getString(11)},
                        {"escalated_at", x.escalatedAt, rs.getString(12)},
                        {"assigned_to", x.assignedTo, caseColumns ? rs.getString(13) : null},
                        {"illegal", x.illegal, caseColumns ? rs.getString(14) : null},
                        // Who a concern is about routes it (Visibility): a rewritten `about` would show a case about the head to others.
                        {"about", x.about, caseColumns ? rs.getString(15) : null},
                        {"logged_by", x.loggedBy, caseColumns ? rs.getString(16) : null}};
                for (Object[] col : columns) {
                    if (!Objects.equals(col[1], col[2])) {
                        return Optional.of(new Finding("incidents", "id " + rs.getLong(1), "column " + col[0]
                                + " does not match the staff decisions in the evidence log"));
                    }
                }
                count[0]++;
            }
        }
        return Optional.empty();
    }

    private static boolean hasColumn(Handle c, String table, String column) throws SQLException {
        try (ResultSet columns = c.getConnection().getMetaData().getColumns(null, null, table, column)) {
            return columns.next();
        }
    }

    /** Decisions an upgraded database held before they were chained (migration V10), by report id. */
    private static Map<String, Decided> beforeChain(Handle c) throws SQLException {
        Map<String, Decided> out = new java.util.HashMap<>();
        if (!haven.store.Dialect.of(c).hasTable(c, "decisions_before_chain")) {
            return out;
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                SELECT report_id, acked_at, acked_by, closed_at, closed_by, outcome, notes, url, nature, escalated_at
                FROM decisions_before_chain"""); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Decided d = new Decided();
                d.ackedAt = rs.getString(2);
                d.ackedBy = rs.getString(3);
                d.closedAt = rs.getString(4);
                d.closedBy = rs.getString(5);
                d.outcome = rs.getString(6);
                d.notes = rs.getString(7);
                d.url = rs.getString(8);
                d.nature = rs.getString(9);
                d.escalatedAt = rs.getString(10);
                out.put(rs.getString(1), d);
            }
        }
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
