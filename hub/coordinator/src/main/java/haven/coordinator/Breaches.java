package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.protocol.UuidV7;
import haven.store.Dialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Records of suspected personal-data breaches (docs/DATA-PROTECTION.md). Policy: "report data breaches within
 * 72 hours as required by the ICO" (UK GDPR Art. 33: within 72 hours of becoming aware of it). The one owner of
 * the breaches and breach_notes tables: every change is a chained {@code coordinator.breach-*} record written
 * here in the caller's transaction, and the same statements replay each record when the tables are rebuilt
 * from the log ({@link Projector}, {@link Projections}).
 */
public final class Breaches {
    /** From when the school became aware of the breach. */
    public static final Duration DEADLINE = Duration.ofHours(72);
    /** The second alert: this long or less before the deadline, still undecided. */
    public static final Duration WARN_BEFORE = Duration.ofHours(24);
    public static final String REPORTED = "reported";
    public static final String NOT_REPORTED = "not-reported";
    public static final Set<String> DECISIONS = Set.of(REPORTED, NOT_REPORTED);
    /** A discovery time this far ahead of our clock is a staff PC's clock, not a typo to refuse. */
    public static final Duration FUTURE_SKEW = Duration.ofMinutes(5);

    private static final List<String> COLUMNS = List.of("discovered_at", "recorded_at", "recorded_by", "what_happened",
            "data_affected", "people_affected", "containment", "deadline_warned_at", "decision", "decided_at", "decided_by",
            "ico_reference", "reported_at", "reason", "people_told");

    private final StaffDecisions decisions;
    private final Clock clock;
    private final UuidV7 ids;

    public Breaches(Clock clock) {
        this.clock = clock;
        this.decisions = new StaffDecisions(clock);
        this.ids = new UuidV7(clock);
    }

    /** What is recorded when a breach is suspected; the route checks each field's bounds first. */
    public record Suspected(Instant discoveredAt, String whatHappened, String dataAffected, String peopleAffected, String containment) {
    }

    /** The decision: reported to the ICO (its reference and when) or not reported (why), and whether the people affected were told. */
    public record Decision(String decision, String icoReference, Instant reportedAt, String reason, boolean peopleTold) {
        public Decision {
            if (!DECISIONS.contains(decision)) {
                throw new IllegalArgumentException("decision must be one of " + new java.util.TreeSet<>(DECISIONS));
            }
            if (decision.equals(REPORTED) && (icoReference == null || reportedAt == null)) {
                throw new IllegalArgumentException(icoReference == null ? "icoReference is required when the breach was reported"
                        : "reportedAt is required when the breach was reported");
            }
            if (decision.equals(NOT_REPORTED) && reason == null) {
                throw new IllegalArgumentException("reason is required when the breach is not reported to the ICO");
            }
        }
    }

    /** One breach as stored. Times are ISO-8601 text as in the table; {@code peopleTold} is null until decided. */
    public record Breach(long id, String ref, Instant discoveredAt, String recordedAt, String recordedBy, String whatHappened,
                         String dataAffected, String peopleAffected, String containment, String deadlineWarnedAt, String decision,
                         String decidedAt, String decidedBy, String icoReference, String reportedAt, String reason, Boolean peopleTold) {
        public Instant deadline() {
            return discoveredAt.plus(DEADLINE);
        }

        public boolean open() {
            return decision == null;
        }

        public ObjectNode toJson(Instant now) {
            ObjectNode o = Json.object().put("id", id).put("ref", ref).put("discoveredAt", Json.time(discoveredAt))
                    .put("recordedAt", recordedAt).put("recordedBy", recordedBy).put("whatHappened", whatHappened)
                    .put("dataAffected", dataAffected).put("peopleAffected", peopleAffected).put("containment", containment)
                    .put("deadline", Json.time(deadline())).put("deadlineWarnedAt", deadlineWarnedAt).put("decision", decision)
                    .put("decidedAt", decidedAt).put("decidedBy", decidedBy).put("icoReference", icoReference)
                    .put("reportedAt", reportedAt).put("reason", reason).put("peopleTold", peopleTold);
            // The countdown is the server's, so a staff PC with a wrong clock does not show the wrong time left.
            o.put("secondsLeft", Duration.between(now, deadline()).toSeconds());
            o.put("overdue", open() && now.isAfter(deadline()));
            return o;
        }
    }

    public Breach record(Handle c, Suspected s, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        ObjectNode data = Json.object().put("breach", ids.next().toString()).put("discoveredAt", Json.time(s.discoveredAt()))
                .put("recordedAt", Json.time(at)).put("whatHappened", s.whatHappened()).put("dataAffected", s.dataAffected())
                .put("peopleAffected", s.peopleAffected()).put("containment", s.containment())
                .put("by", who.name()).put("role", who.role().wire());
        insert(c, data);
        decisions.record(c, StaffDecisions.BREACH_RECORDED, StaffDecisions.SCHOOL, at, data);
        return find(c, data.get("breach").asText()).orElseThrow();
    }

    private static void insert(Handle c, JsonNode d) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO breaches(ref, discovered_at, recorded_at, recorded_by, what_happened, data_affected, people_affected, containment)
                VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(ref) DO NOTHING""")) {
            ps.setString(1, d.path("breach").asText());
            ps.setString(2, d.path("discoveredAt").asText());
            ps.setString(3, d.path("recordedAt").asText());
            ps.setString(4, d.path("by").asText());
            ps.setString(5, d.path("whatHappened").asText());
            ps.setString(6, d.path("dataAffected").asText());
            ps.setString(7, d.path("peopleAffected").asText());
            ps.setString(8, text(d, "containment"));
            ps.executeUpdate();
        }
    }

    /** An update while the breach is worked (containment, what was found); never changed once written. */
    public ObjectNode addNote(Handle c, Breach breach, String text, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        ObjectNode data = Json.object().put("breach", breach.ref()).put("at", Json.time(at)).put("text", text)
                .put("by", who.name()).put("role", who.role().wire());
        long id = insertNote(c, data);
        decisions.record(c, StaffDecisions.BREACH_NOTE_ADDED, StaffDecisions.SCHOOL, at, data.deepCopy().put("note", id));
        return Json.object().put("id", id).put("at", Json.time(at)).put("by", who.name()).put("text", text);
    }

    private static long insertNote(Handle c, JsonNode d) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO breach_notes(breach_id, at, by_name, text) SELECT id, ?, ?, ? FROM breaches WHERE ref = ? RETURNING id""")) {
            ps.setString(1, d.path("at").asText());
            ps.setString(2, d.path("by").asText());
            ps.setString(3, d.path("text").asText());
            ps.setString(4, d.path("breach").asText());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The decision, once; empty when this breach was already decided (the first decision stands, in the log too). */
    public Optional<Breach> decide(Handle c, Breach breach, Decision d, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        ObjectNode data = Json.object().put("breach", breach.ref()).put("decision", d.decision()).put("decidedAt", Json.time(at))
                .put("icoReference", d.icoReference()).put("reportedAt", d.reportedAt() == null ? null : Json.time(d.reportedAt()))
                .put("reason", d.reason()).put("peopleTold", d.peopleTold()).put("by", who.name()).put("role", who.role().wire());
        if (!applyDecision(c, data)) {
            return Optional.empty();
        }
        decisions.record(c, StaffDecisions.BREACH_DECIDED, StaffDecisions.SCHOOL, at, data);
        return find(c, breach.id());
    }

    private static boolean applyDecision(Handle c, JsonNode d) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                UPDATE breaches SET decision = ?, decided_at = ?, decided_by = ?, ico_reference = ?, reported_at = ?, reason = ?,
                    people_told = ? WHERE ref = ? AND decision IS NULL""")) {
            ps.setString(1, d.path("decision").asText());
            ps.setString(2, d.path("decidedAt").asText());
            ps.setString(3, d.path("by").asText());
            ps.setString(4, text(d, "icoReference"));
            ps.setString(5, text(d, "reportedAt"));
            ps.setString(6, text(d, "reason"));
            ps.setInt(7, d.path("peopleTold").asBoolean() ? 1 : 0);
            ps.setString(8, d.path("breach").asText());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Flags, once each, every undecided breach with {@link #WARN_BEFORE} or less to its deadline, chained as the
     * system's {@code coordinator.breach-deadline-near}; returns those flagged now, for the second alert.
     */
    public List<Breach> flagDeadlineNear(Handle c) throws SQLException {
        Instant now = clock.instant();
        List<String> refs = new ArrayList<>();
        for (Breach b : list(c)) {
            if (b.open() && b.deadlineWarnedAt() == null && !now.isBefore(b.deadline().minus(WARN_BEFORE))) {
                refs.add(b.ref());
            }
        }
        List<Breach> out = new ArrayList<>();
        for (String ref : refs) {
            ObjectNode data = Json.object().put("breach", ref).put("at", Json.time(now));
            Breach b = find(c, ref).orElseThrow();
            data.put("deadline", Json.time(b.deadline()));
            if (warned(c, data)) {
                decisions.record(c, StaffDecisions.BREACH_DEADLINE_NEAR, StaffDecisions.SCHOOL, now, data);
                out.add(find(c, ref).orElseThrow());
            }
        }
        return out;
    }

    private static boolean warned(Handle c, JsonNode d) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE breaches SET deadline_warned_at = ? WHERE ref = ? AND deadline_warned_at IS NULL AND decision IS NULL")) {
            ps.setString(1, d.path("at").asText());
            ps.setString(2, d.path("breach").asText());
            return ps.executeUpdate() == 1;
        }
    }

    /** A chained breach record replayed onto the tables: the same statements the live change ran. */
    static void project(Handle c, String type, JsonNode data) throws SQLException {
        switch (type) {
            case StaffDecisions.BREACH_RECORDED -> insert(c, data);
            case StaffDecisions.BREACH_NOTE_ADDED -> insertNote(c, data);
            case StaffDecisions.BREACH_DEADLINE_NEAR -> warned(c, data);
            case StaffDecisions.BREACH_DECIDED -> applyDecision(c, data);
            default -> throw new IllegalArgumentException("not a breach record: " + type);
        }
    }

    // ---- reads ------------------------------------------------------------------------------------------------

    /** Undecided first, soonest deadline first; then the decided, newest first. */
    public List<Breach> list(Handle c) throws SQLException {
        List<Breach> out = select(c, "", null);
        out.sort(java.util.Comparator.comparing((Breach b) -> !b.open())
                .thenComparing(b -> b.open() ? b.deadline() : Instant.MAX.minusSeconds(b.id())));
        return out;
    }

    public Optional<Breach> find(Handle c, long id) throws SQLException {
        return select(c, " WHERE id = ?", id).stream().findFirst();
    }

    public Optional<Breach> find(Handle c, String ref) throws SQLException {
        return select(c, " WHERE ref = ?", ref).stream().findFirst();
    }

    private static List<Breach> select(Handle c, String where, Object arg) throws SQLException {
        List<Breach> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT id, ref, " + String.join(", ", COLUMNS) + " FROM breaches" + where
                + " ORDER BY id")) {
            if (arg != null) {
                ps.setObject(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int told = rs.getInt(17);
                    Boolean peopleTold = rs.wasNull() ? null : told == 1;
                    out.add(new Breach(rs.getLong(1), rs.getString(2), Instant.parse(rs.getString(3)), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                            rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15), rs.getString(16), peopleTold));
                }
            }
        }
        return out;
    }

    public static ArrayNode notes(Handle c, long breach) throws SQLException {
        ArrayNode out = Json.array();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT id, at, by_name, text FROM breach_notes WHERE breach_id = ? ORDER BY id")) {
            ps.setLong(1, breach);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.addObject().put("id", rs.getLong(1)).put("at", rs.getString(2)).put("by", rs.getString(3)).put("text", rs.getString(4));
                }
            }
        }
        return out;
    }

    // ---- rebuilt from the log: compare, write back, and across a retention purge ------------------------------

    /** Each breach by its ref, every column and its notes (as one text, in order) as the log decides them. */
    private static Map<String, Map<String, String>> rows(Handle c) throws SQLException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT id, ref, " + String.join(", ", COLUMNS) + " FROM breaches ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("id", rs.getString(1));
                for (int i = 0; i < COLUMNS.size(); i++) {
                    row.put(COLUMNS.get(i), rs.getString(i + 3));
                }
                out.put(rs.getString(2), row);
            }
        }
        for (Map<String, String> row : out.values()) {
            List<String> notes = new ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT at, by_name, text FROM breach_notes WHERE breach_id = ? ORDER BY id")) {
                ps.setLong(1, Long.parseLong(row.get("id")));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        notes.add(rs.getString(1) + "\u0000" + rs.getString(2) + "\u0000" + rs.getString(3));
                    }
                }
            }
            row.put("notes", String.join("\u0001", notes));
        }
        return out;
    }

    /** The first stored breach that is not what the log says: table, row, why. */
    static Optional<Projections.Difference> compare(Handle stored, Handle rebuilt) throws SQLException {
        if (!Dialect.of(stored).hasTable(stored, "breaches")) {
            return Optional.empty();
        }
        Map<String, Map<String, String>> want = rows(rebuilt);
        for (Map.Entry<String, Map<String, String>> e : rows(stored).entrySet()) {
            Map<String, String> expected = want.remove(e.getKey());
            String row = "id " + e.getValue().get("id");
            if (expected == null) {
                return Optional.of(new Projections.Difference("breaches", row, "the evidence log does not record this breach"));
            }
            for (String col : COLUMNS) {
                if (!Objects.equals(expected.get(col), e.getValue().get(col))) {
                    return Optional.of(new Projections.Difference("breaches", row, "column " + col + " is not what the evidence log says"));
                }
            }
            if (!Objects.equals(expected.get("notes"), e.getValue().get("notes"))) {
                return Optional.of(new Projections.Difference("breach_notes", "breach " + e.getValue().get("id"),
                        "the notes are not what the evidence log says"));
            }
        }
        return want.keySet().stream().findFirst().map(ref -> new Projections.Difference("breaches", "ref " + ref,
                "the evidence log records this breach but the table has no row for it"));
    }

    /** Replaces the stored breaches and notes with the rebuilt ones, keeping each breach's id; returns how many changed. */
    static int writeBack(Handle stored, Handle rebuilt) throws SQLException {
        Map<String, Map<String, String>> have = rows(stored);
        int changed = 0;
        for (Map.Entry<String, Map<String, String>> e : rows(rebuilt).entrySet()) {
            Map<String, String> old = have.remove(e.getKey());
            Map<String, String> row = e.getValue();
            if (old != null && COLUMNS.stream().allMatch(col -> Objects.equals(old.get(col), row.get(col)))
                    && Objects.equals(old.get("notes"), row.get("notes"))) {
                continue;
            }
            changed++;
            long id;
            if (old != null) {
                id = Long.parseLong(old.get("id"));
                try (PreparedStatement ps = stored.getConnection().prepareStatement("UPDATE breaches SET " + String.join(" = ?, ", COLUMNS)
                        + " = ? WHERE id = ?")) {
                    set(ps, row);
                    ps.setLong(COLUMNS.size() + 1, id);
                    ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = stored.getConnection().prepareStatement("INSERT INTO breaches(" + String.join(", ", COLUMNS) + ", ref) VALUES ("
                        + "?,".repeat(COLUMNS.size()) + "?) RETURNING id")) {
                    set(ps, row);
                    ps.setString(COLUMNS.size() + 1, e.getKey());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
            }
            try (PreparedStatement del = stored.getConnection().prepareStatement("DELETE FROM breach_notes WHERE breach_id = ?")) {
                del.setLong(1, id);
                del.executeUpdate();
            }
            for (JsonNode n : notes(rebuilt, Long.parseLong(row.get("id")))) {
                try (PreparedStatement ps = stored.getConnection().prepareStatement("INSERT INTO breach_notes(breach_id, at, by_name, text) VALUES (?,?,?,?)")) {
                    ps.setLong(1, id);
                    ps.setString(2, n.path("at").asText());
                    ps.setString(3, n.path("by").asText());
                    ps.setString(4, n.path("text").asText());
                    ps.executeUpdate();
                }
            }
        }
        for (Map<String, String> gone : have.values()) {
            changed++;
            try (PreparedStatement a = stored.getConnection().prepareStatement("DELETE FROM breach_notes WHERE breach_id = ?");
                 PreparedStatement b = stored.getConnection().prepareStatement("DELETE FROM breaches WHERE id = ?")) {
                a.setLong(1, Long.parseLong(gone.get("id")));
                a.executeUpdate();
                b.setLong(1, Long.parseLong(gone.get("id")));
                b.executeUpdate();
            }
        }
        return changed;
    }

    private static void set(PreparedStatement ps, Map<String, String> row) throws SQLException {
        for (int i = 0; i < COLUMNS.size(); i++) {
            String col = COLUMNS.get(i);
            if (col.equals("people_told")) {
                ps.setObject(i + 1, row.get(col) == null ? null : Integer.valueOf(row.get(col)), java.sql.Types.INTEGER);
            } else {
                ps.setString(i + 1, row.get(col));
            }
        }
    }

    /**
     * Breach records are kept whatever retention.days says (Art. 33(5): the controller documents every breach),
     * but a purge may cut their records from the start of the log: the coordinator.purged record then carries every
     * breach and its notes, and a rebuild from the remaining log starts from them.
     */
    static void snapshotForPurge(Handle c, ObjectNode data) throws SQLException {
        if (!Dialect.of(c).hasTable(c, "breaches")) {
            return;
        }
        ArrayNode out = data.putArray("breaches");
        for (Map.Entry<String, Map<String, String>> e : rows(c).entrySet()) {
            ObjectNode o = out.addObject().put("ref", e.getKey());
            COLUMNS.forEach(col -> o.put(col, e.getValue().get(col)));
            o.set("notes", notes(c, Long.parseLong(e.getValue().get("id"))));
        }
    }

    /** Replays a coordinator.purged record's breaches: the table as the purge left it. */
    static void purged(Handle c, JsonNode data) throws SQLException {
        if (!data.has("breaches")) {
            return;
        }
        try (PreparedStatement a = c.getConnection().prepareStatement("DELETE FROM breach_notes"); PreparedStatement b = c.getConnection().prepareStatement("DELETE FROM breaches")) {
            a.executeUpdate();
            b.executeUpdate();
        }
        for (JsonNode br : data.path("breaches")) {
            Map<String, String> row = new LinkedHashMap<>();
            COLUMNS.forEach(col -> row.put(col, text(br, col)));
            long id;
            try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO breaches(" + String.join(", ", COLUMNS) + ", ref) VALUES ("
                    + "?,".repeat(COLUMNS.size()) + "?) RETURNING id")) {
                set(ps, row);
                ps.setString(COLUMNS.size() + 1, br.path("ref").asText());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            for (JsonNode n : br.path("notes")) {
                try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO breach_notes(breach_id, at, by_name, text) VALUES (?,?,?,?)")) {
                    ps.setLong(1, id);
                    ps.setString(2, n.path("at").asText());
                    ps.setString(3, n.path("by").asText());
                    ps.setString(4, n.path("text").asText());
                    ps.executeUpdate();
                }
            }
        }
    }

    private static String text(JsonNode d, String field) {
        return d.hasNonNull(field) ? d.get(field).asText() : null;
    }
}
