package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.result.ResultIterator;

/**
 * The case-work rows staff read (notes, actions, the illegal-content review's parts, attachments and their
 * bytes) checked against the chained records that made them: `haven verify-log` runs it after the
 * projections. These rows are written in the same transaction as their record ({@link Cases},
 * {@link CaseEvidence}), so every row has exactly one record and says what it says; an insider who edits a
 * note in the database file, deletes an action's "done", swaps an attachment's bytes or adds a review part
 * by hand is named here, table and row.
 *
 * <p>Rows are matched to their record by the id the record carries (note, action, attachment); review
 * parts carry none, so the n-th part of an incident is matched to its n-th review record.
 */
public final class CaseWorkCheck {
    private static final String INCIDENT_IDS = "SELECT id FROM incidents";
    /** %s: one of the case-work tables, each with an incident_id. */
    private static final String CASE_INCIDENTS = "SELECT DISTINCT incident_id FROM %s";
    private static final String NOTES = "SELECT id, incident_id, at, by_name, text, corrects FROM case_notes ORDER BY id";
    private static final String ACTIONS = "SELECT id, incident_id, kind, reference, due, created_at, created_by, done_at, done_by,"
            + " overdue_at FROM case_actions ORDER BY id";
    private static final String REVIEW_PARTS = "SELECT id, incident_id, at, by_name, role, computer, urls, nature, judgement, actions"
            + " FROM case_review_parts ORDER BY id";
    private static final String ATTACHMENTS = "SELECT id, incident_id, sha256, media_type, size, at, by_name FROM case_attachments ORDER BY id";
    private static final String BLOBS = "SELECT sha256, content FROM attachment_blobs ORDER BY sha256";
    private static final List<String> CASE_TABLES = List.of("case_notes", "case_actions", "case_review_parts", "case_attachments");

    private CaseWorkCheck() {
    }

    public static Optional<Projections.Difference> compare(Handle c) throws SQLException {
        Records records = Records.read(c, purgedIncidents(c));
        Optional<Projections.Difference> d = notes(c, records);
        if (d.isEmpty()) {
            d = actions(c, records);
        }
        if (d.isEmpty()) {
            d = reviewParts(c, records);
        }
        if (d.isEmpty()) {
            d = attachments(c, records);
        }
        return d;
    }

    /** One chained record: its time and its data. */
    private record Logged(String at, JsonNode data) {
    }

    /**
     * Incidents a retention purge removed, when one has run: their case rows stay (docs/CASEWORK.md) while
     * their records may have gone with the start of the log, so a row of theirs with no record is accepted.
     * Removing an incident row by hand is caught before this, by the rebuilt incidents.
     */
    private static java.util.Set<Long> purgedIncidents(Handle c) throws SQLException {
        java.util.Set<Long> out = new java.util.HashSet<>();
        if (!EventLog.everCut(c)) {
            return out;
        }
        java.util.Set<String> live = new java.util.HashSet<>();
        rows(c, INCIDENT_IDS).forEach(r -> live.add(r.get("id")));
        for (String table : CASE_TABLES) {
            for (Map<String, String> r : rows(c, CASE_INCIDENTS.formatted(table))) {
                if (!live.contains(r.get("incident_id"))) {
                    out.add(Long.parseLong(r.get("incident_id")));
                }
            }
        }
        return out;
    }

    /** The case-work records of the log, by type and the id they name, and the incidents purged before it. */
    private record Records(Map<String, Map<Long, Logged>> byId, Map<Long, List<Logged>> reviews, java.util.Set<Long> purged) {
        boolean unrecordedAllowed(Map<String, String> row) {
            return purged.contains(Long.parseLong(row.get("incident_id")));
        }

        static Records read(Handle c, java.util.Set<Long> purged) throws SQLException {
            Map<String, Map<Long, Logged>> byId = new HashMap<>();
            Map<Long, List<Logged>> reviews = new LinkedHashMap<>();
            List<String> types = List.of(StaffDecisions.NOTE_ADDED, StaffDecisions.ACTION_ADDED, StaffDecisions.ACTION_DONE,
                    StaffDecisions.ACTION_OVERDUE, StaffDecisions.REVIEW_RECORDED, StaffDecisions.ATTACHMENT_ADDED);
            for (EventLog.Entry entry : EventLog.ofTypes(c, types)) {
                JsonNode data = Json.parse(entry.payload().getBytes(StandardCharsets.UTF_8)).path("data");
                Logged logged = new Logged(entry.at(), data);
                String type = entry.type();
                if (type.equals(StaffDecisions.REVIEW_RECORDED)) {
                    reviews.computeIfAbsent(data.path("incident").asLong(), k -> new ArrayList<>()).add(logged);
                    continue;
                }
                String key = switch (type) {
                    case StaffDecisions.NOTE_ADDED -> "note";
                    case StaffDecisions.ATTACHMENT_ADDED -> "attachment";
                    default -> "action";
                };
                // The first record of an id wins: a second one for the same row is itself a difference below.
                byId.computeIfAbsent(type, k -> new LinkedHashMap<>()).putIfAbsent(data.path(key).asLong(), logged);
            }
            return new Records(byId, reviews, purged);
        }

        Map<Long, Logged> of(String type) {
            return new LinkedHashMap<>(byId.getOrDefault(type, Map.of()));
        }
    }

    private static Optional<Projections.Difference> notes(Handle c, Records records) throws SQLException {
        Map<Long, Logged> want = records.of(StaffDecisions.NOTE_ADDED);
        for (Map<String, String> row : rows(c, NOTES)) {
            Logged r = want.remove(Long.parseLong(row.get("id")));
            String where = "id " + row.get("id");
            if (r == null && records.unrecordedAllowed(row)) {
                continue;
            }
            if (r == null) {
                return differ("case_notes", where, "the evidence log has no record of this note");
            }
            Optional<String> col = firstDiffering(row, columns("incident_id", text(r.data(), "incident"), "at", r.at(),
                    "by_name", text(r.data(), "by"), "text", text(r.data(), "text"), "corrects", text(r.data(), "corrects")));
            if (col.isPresent()) {
                return differ("case_notes", where, "column " + col.get() + " is not what the evidence log says");
            }
        }
        return want.keySet().stream().findFirst().map(id -> new Projections.Difference("case_notes", "note " + id,
                "the evidence log records this note but the table has no row for it"));
    }

    private static Optional<Projections.Difference> actions(Handle c, Records records) throws SQLException {
        Map<Long, Logged> added = records.of(StaffDecisions.ACTION_ADDED);
        Map<Long, Logged> done = records.of(StaffDecisions.ACTION_DONE);
        Map<Long, Logged> overdue = records.of(StaffDecisions.ACTION_OVERDUE);
        for (Map<String, String> row : rows(c, ACTIONS)) {
            long id = Long.parseLong(row.get("id"));
            Logged r = added.remove(id);
            String where = "id " + id;
            Logged d = done.remove(id);
            Logged o = overdue.remove(id);
            if (r == null && records.unrecordedAllowed(row)) {
                continue;
            }
            if (r == null) {
                return differ("case_actions", where, "the evidence log has no record of this action");
            }
            Optional<String> col = firstDiffering(row, columns("incident_id", text(r.data(), "incident"), "kind", text(r.data(), "kind"),
                    "due", text(r.data(), "due"), "created_at", r.at(), "created_by", text(r.data(), "by"),
                    "done_at", d == null ? null : d.at(), "done_by", d == null ? null : text(d.data(), "by"),
                    "reference", text(r.data(), "reference"), "overdue_at", o == null ? null : o.at()));
            if (col.isPresent()) {
                return differ("case_actions", where, "column " + col.get() + " is not what the evidence log says");
            }
        }
        for (Map<Long, Logged> left : List.of(added, done, overdue)) {
            Optional<Long> id = left.keySet().stream().findFirst();
            if (id.isPresent()) {
                return differ("case_actions", "action " + id.get(), "the evidence log records this action but the table's row is missing");
            }
        }
        return Optional.empty();
    }

    private static Optional<Projections.Difference> reviewParts(Handle c, Records records) throws SQLException {
        Map<Long, List<Logged>> want = new LinkedHashMap<>();
        records.reviews().forEach((k, v) -> want.put(k, new ArrayList<>(v)));
        for (Map<String, String> row : rows(c, REVIEW_PARTS)) {
            List<Logged> left = want.getOrDefault(Long.parseLong(row.get("incident_id")), new ArrayList<>());
            String where = "id " + row.get("id");
            if (left.isEmpty() && records.unrecordedAllowed(row)) {
                continue;
            }
            if (left.isEmpty()) {
                return differ("case_review_parts", where, "the evidence log has no record of this review part");
            }
            Logged r = left.removeFirst();
            Optional<String> col = firstDiffering(row, columns("at", r.at(), "by_name", text(r.data(), "by"), "role", text(r.data(), "role"),
                    "computer", text(r.data(), "computer"), "nature", text(r.data(), "nature"),
                    "judgement", text(r.data(), "judgement")));
            if (col.isEmpty() && !Json.parse(row.get("urls").getBytes(StandardCharsets.UTF_8)).equals(r.data().path("urls"))) {
                col = Optional.of("urls");
            }
            if (col.isEmpty() && !Json.parse(row.get("actions").getBytes(StandardCharsets.UTF_8)).equals(r.data().path("actions"))) {
                col = Optional.of("actions");
            }
            if (col.isPresent()) {
                return differ("case_review_parts", where, "column " + col.get() + " is not what the evidence log says");
            }
        }
        return want.entrySet().stream().filter(e -> !e.getValue().isEmpty()).findFirst()
                .map(e -> new Projections.Difference("case_review_parts", "incident " + e.getKey(),
                        "the evidence log records a review part the table does not have"));
    }

    private static Optional<Projections.Difference> attachments(Handle c, Records records) throws SQLException {
        Map<Long, Logged> want = records.of(StaffDecisions.ATTACHMENT_ADDED);
        for (Map<String, String> row : rows(c, ATTACHMENTS)) {
            Logged r = want.remove(Long.parseLong(row.get("id")));
            String where = "id " + row.get("id");
            if (r == null && records.unrecordedAllowed(row)) {
                continue;
            }
            if (r == null) {
                return differ("case_attachments", where, "the evidence log has no record of this attachment");
            }
            Optional<String> col = firstDiffering(row, columns("incident_id", text(r.data(), "incident"), "sha256", text(r.data(), "sha256"),
                    "media_type", text(r.data(), "mediaType"), "size", text(r.data(), "size"), "at", r.at(),
                    "by_name", text(r.data(), "by")));
            if (col.isPresent()) {
                return differ("case_attachments", where, "column " + col.get() + " is not what the evidence log says");
            }
        }
        Optional<Long> missing = want.keySet().stream().findFirst();
        if (missing.isPresent()) {
            return differ("case_attachments", "attachment " + missing.get(), "the evidence log records this attachment but the table has no row for it");
        }
        // The bytes are kept under their SHA-256; a blob whose bytes no longer hash to its key was changed.
        try (ResultIterator<Optional<Projections.Difference>> blobs = c.createQuery(BLOBS)
                .map((rs, ctx) -> CaseEvidence.sha256(rs.getBytes(2)).equals(rs.getString(1)) ? Optional.<Projections.Difference>empty()
                        : differ("attachment_blobs", "sha256 " + rs.getString(1), "the stored bytes do not have this hash"))
                .iterator()) {
            while (blobs.hasNext()) {
                Optional<Projections.Difference> d = blobs.next();
                if (d.isPresent()) {
                    return d;
                }
            }
        }
        return Optional.empty();
    }

    /** The first column, by name, whose stored text is not the expected one (null: the column must be empty). */
    private static Optional<String> firstDiffering(Map<String, String> row, Map<String, String> expected) {
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(expected).entrySet()) {
            if (!Objects.equals(e.getValue(), row.get(e.getKey()))) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** Column, expected text, column, expected text, ...: a map that, unlike Map.of, keeps a null expectation. */
    private static Map<String, String> columns(String... pairs) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static String text(JsonNode data, String field) {
        return data.hasNonNull(field) ? data.get(field).asText() : null;
    }

    private static Optional<Projections.Difference> differ(String table, String row, String reason) {
        return Optional.of(new Projections.Difference(table, row, reason));
    }

    private static List<Map<String, String>> rows(Handle c, String sql) throws SQLException {
        return Projections.rows(c, sql);
    }
}
