package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.protocol.UuidV7;
import haven.store.Dialect;
import haven.store.Stored;
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

    /** The stored words of {@code breaches.decision} (also the API's and the chained record's). */
    public enum Verdict implements Stored {
        REPORTED_TO_ICO(REPORTED), NOT_REPORTED_TO_ICO(NOT_REPORTED);

        private final String word;

        Verdict(String word) {
            this.word = word;
        }

        @Override
        public String stored() {
            return word;
        }

        public static Optional<Verdict> of(String word) {
            return java.util.Arrays.stream(values()).filter(v -> v.word.equals(word)).findFirst();
        }
    }
    /** A discovery time this far ahead of our clock is a staff PC's clock, not a typo to refuse. */
    public static final Duration FUTURE_SKEW = Duration.ofMinutes(5);

    private static final List<String> COLUMNS = List.of("discovered_at", "recorded_at", "recorded_by", "what_happened",
            "data_affected", "people_affected", "containment", "deadline_warned_at", "decision", "decided_at", "decided_by",
            "ico_reference", "reported_at", "reason", "people_told");

    private static final String INSERT = """
            INSERT INTO breaches(ref, discovered_at, recorded_at, recorded_by, what_happened, data_affected, people_affected, containment)
            VALUES (:ref, :discoveredAt, :recordedAt, :by, :whatHappened, :dataAffected, :peopleAffected, :containment)
            ON CONFLICT(ref) DO NOTHING""";
    private static final String INSERT_NOTE = """
            INSERT INTO breach_notes(breach_id, at, by_name, text) SELECT id, :at, :by, :text FROM breaches WHERE ref = :ref RETURNING id""";
    /** The first decision stands: a second one updates no row. */
    private static final String DECIDE = """
            UPDATE breaches SET decision = :decision, decided_at = :decidedAt, decided_by = :by, ico_reference = :icoReference,
                reported_at = :reportedAt, reason = :reason, people_told = :peopleTold WHERE ref = :ref AND decision IS NULL""";
    private static final String WARNED = """
            UPDATE breaches SET deadline_warned_at = :at WHERE ref = :ref AND deadline_warned_at IS NULL AND decision IS NULL""";
    private static final String SELECT = "SELECT id, ref, " + String.join(", ", COLUMNS) + " FROM breaches";
    private static final String ALL = SELECT + " ORDER BY id";
    private static final String BY_ID = SELECT + " WHERE id = :id ORDER BY id";
    private static final String BY_REF = SELECT + " WHERE ref = :ref ORDER BY id";
    private static final String NOTES = "SELECT id, at, by_name, text FROM breach_notes WHERE breach_id = :breach ORDER BY id";
    /** Every column, as the log's rebuild writes it back (named after the columns). */
    private static final String UPDATE_ROW = "UPDATE breaches SET "
            + String.join(", ", COLUMNS.stream().map(col -> col + " = :" + col).toList()) + " WHERE id = :id";
    private static final String INSERT_ROW = "INSERT INTO breaches(" + String.join(", ", COLUMNS) + ", ref) VALUES ("
            + String.join(", ", COLUMNS.stream().map(col -> ":" + col).toList()) + ", :ref) RETURNING id";
    private static final String INSERT_NOTE_ROW = "INSERT INTO breach_notes(breach_id, at, by_name, text) VALUES (:breach, :at, :by, :text)";
    private static final String DELETE_NOTES = "DELETE FROM breach_notes WHERE breach_id = :breach";
    private static final String DELETE = "DELETE FROM breaches WHERE id = :id";
    private static final String DELETE_ALL_NOTES = "DELETE FROM breach_notes";
    private static final String DELETE_ALL = "DELETE FROM breaches";

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
            if (Verdict.of(decision).isEmpty()) {
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

        /** As the dashboard shows it at {@code now}. */
        public View view(Instant now) {
            // The countdown is the server's, so a staff PC with a wrong clock does not show the wrong time left.
            return new View(id, ref, discoveredAt, recordedAt, recordedBy, whatHappened, dataAffected, peopleAffected, containment,
                    deadline(), deadlineWarnedAt, decision, decidedAt, decidedBy, icoReference, reportedAt, reason, peopleTold,
                    Duration.between(now, deadline()).toSeconds(), open() && now.isAfter(deadline()));
        }
    }

    /** A breach as the dashboard reads it: the record, its deadline, the seconds left and whether it is overdue now. */
    public record View(long id, String ref, Instant discoveredAt, String recordedAt, String recordedBy, String whatHappened,
                       String dataAffected, String peopleAffected, String containment, Instant deadline, String deadlineWarnedAt,
                       String decision, String decidedAt, String decidedBy, String icoReference, String reportedAt, String reason,
                       Boolean peopleTold, long secondsLeft, boolean overdue) {
    }

    /** One update to a breach record, never changed once written. */
    public record Note(long id, String at, String by, String text) {
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
        // Times are bound as the record's own text: the log's spelling is what the table keeps.
        c.createUpdate(INSERT).bind("ref", d.path("breach").asText()).bind("discoveredAt", d.path("discoveredAt").asText())
                .bind("recordedAt", d.path("recordedAt").asText()).bind("by", d.path("by").asText())
                .bind("whatHappened", d.path("whatHappened").asText()).bind("dataAffected", d.path("dataAffected").asText())
                .bind("peopleAffected", d.path("peopleAffected").asText()).bind("containment", text(d, "containment")).execute();
    }

    /** An update while the breach is worked (containment, what was found); never changed once written. */
    public Note addNote(Handle c, Breach breach, String text, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        ObjectNode data = Json.object().put("breach", breach.ref()).put("at", Json.time(at)).put("text", text)
                .put("by", who.name()).put("role", who.role().wire());
        long id = insertNote(c, data);
        decisions.record(c, StaffDecisions.BREACH_NOTE_ADDED, StaffDecisions.SCHOOL, at, data.deepCopy().put("note", id));
        return new Note(id, Json.time(at), who.name(), text);
    }

    private static long insertNote(Handle c, JsonNode d) throws SQLException {
        return c.createQuery(INSERT_NOTE).bind("at", d.path("at").asText()).bind("by", d.path("by").asText())
                .bind("text", d.path("text").asText()).bind("ref", d.path("breach").asText())
                .mapTo(Long.class).findOne().orElse(0L);
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
        Verdict verdict = Verdict.of(d.path("decision").asText())
                .orElseThrow(() -> new IllegalArgumentException("decision: not one of " + new java.util.TreeSet<>(DECISIONS)));
        return c.createUpdate(DECIDE).bind("decision", verdict).bind("decidedAt", d.path("decidedAt").asText())
                .bind("by", d.path("by").asText()).bind("icoReference", text(d, "icoReference"))
                .bind("reportedAt", text(d, "reportedAt")).bind("reason", text(d, "reason"))
                .bind("peopleTold", d.path("peopleTold").asBoolean() ? 1 : 0).bind("ref", d.path("breach").asText())
                .execute() == 1;
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
        return c.createUpdate(WARNED).bind("at", d.path("at").asText()).bind("ref", d.path("breach").asText()).execute() == 1;
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
        List<Breach> out = new ArrayList<>(c.createQuery(ALL).map(Breaches::breach).list());
        out.sort(java.util.Comparator.comparing((Breach b) -> !b.open())
                .thenComparing(b -> b.open() ? b.deadline() : Instant.MAX.minusSeconds(b.id())));
        return out;
    }

    public Optional<Breach> find(Handle c, long id) throws SQLException {
        return c.createQuery(BY_ID).bind("id", id).map(Breaches::breach).findFirst();
    }

    public Optional<Breach> find(Handle c, String ref) throws SQLException {
        return c.createQuery(BY_REF).bind("ref", ref).map(Breaches::breach).findFirst();
    }

    private static Breach breach(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        int told = rs.getInt("people_told");
        Boolean peopleTold = rs.wasNull() ? null : told == 1;
        // decision is read through its enum, so a word the table should never hold is an error naming the column.
        Verdict decision = ctx.findColumnMapperFor(Verdict.class).orElseThrow().map(rs, "decision", ctx);
        return new Breach(rs.getLong("id"), rs.getString("ref"),
                ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "discovered_at", ctx),
                rs.getString("recorded_at"), rs.getString("recorded_by"), rs.getString("what_happened"), rs.getString("data_affected"),
                rs.getString("people_affected"), rs.getString("containment"), rs.getString("deadline_warned_at"),
                decision == null ? null : decision.stored(), rs.getString("decided_at"), rs.getString("decided_by"),
                rs.getString("ico_reference"), rs.getString("reported_at"), rs.getString("reason"), peopleTold);
    }

    /** {@link #noteList} as a tree: what a rebuild compares and a retention purge's chained record carries. */
    public static ArrayNode notes(Handle c, long breach) throws SQLException {
        return Json.MAPPER.valueToTree(noteList(c, breach));
    }

    /** A breach's notes, oldest first. */
    public static List<Note> noteList(Handle c, long breach) throws SQLException {
        return c.createQuery(NOTES).bind("breach", breach)
                .map((rs, ctx) -> new Note(rs.getLong("id"), rs.getString("at"), rs.getString("by_name"), rs.getString("text")))
                .list();
    }

    // ---- rebuilt from the log: compare, write back, and across a retention purge ------------------------------

    /** Each breach by its ref, every column and its notes (as one text, in order) as the log decides them. */
    private static Map<String, Map<String, String>> rows(Handle c) throws SQLException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        c.createQuery(ALL).map((rs, ctx) -> {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("ref", rs.getString("ref"));
            row.put("id", rs.getString("id"));
            for (String col : COLUMNS) {
                row.put(col, rs.getString(col));
            }
            return row;
        }).forEach(row -> out.put(row.remove("ref"), row));
        for (Map<String, String> row : out.values()) {
            List<String> notes = c.createQuery(NOTES).bind("breach", Long.parseLong(row.get("id")))
                    .map((rs, ctx) -> rs.getString("at") + "\u0000" + rs.getString("by_name") + "\u0000" + rs.getString("text")).list();
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
                columns(stored.createUpdate(UPDATE_ROW), row).bind("id", id).execute();
            } else {
                id = columns(stored.createQuery(INSERT_ROW), row).bind("ref", e.getKey()).mapTo(Long.class).one();
            }
            stored.createUpdate(DELETE_NOTES).bind("breach", id).execute();
            insertNotes(stored, id, notes(rebuilt, Long.parseLong(row.get("id"))));
        }
        for (Map<String, String> gone : have.values()) {
            changed++;
            long id = Long.parseLong(gone.get("id"));
            stored.createUpdate(DELETE_NOTES).bind("breach", id).execute();
            stored.createUpdate(DELETE).bind("id", id).execute();
        }
        return changed;
    }

    /** Binds every column of {@code row} by name: text as text, people_told as an integer (null until decided). */
    private static <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S columns(S statement, Map<String, String> row) {
        for (String col : COLUMNS) {
            if (col.equals("people_told")) {
                statement.bind(col, row.get(col) == null ? null : Integer.valueOf(row.get(col)));
            } else {
                statement.bind(col, row.get(col));
            }
        }
        return statement;
    }

    private static void insertNotes(Handle c, long id, Iterable<JsonNode> notes) {
        var batch = c.prepareBatch(INSERT_NOTE_ROW);
        boolean any = false;
        for (JsonNode n : notes) {
            batch.bind("breach", id).bind("at", n.path("at").asText()).bind("by", n.path("by").asText())
                    .bind("text", n.path("text").asText()).add();
            any = true;
        }
        if (any) {
            batch.execute();
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
        c.createUpdate(DELETE_ALL_NOTES).execute();
        c.createUpdate(DELETE_ALL).execute();
        for (JsonNode br : data.path("breaches")) {
            Map<String, String> row = new LinkedHashMap<>();
            COLUMNS.forEach(col -> row.put(col, text(br, col)));
            long id = columns(c.createQuery(INSERT_ROW), row).bind("ref", br.path("ref").asText()).mapTo(Long.class).one();
            insertNotes(c, id, br.path("notes"));
        }
    }

    private static String text(JsonNode d, String field) {
        return d.hasNonNull(field) ? d.get(field).asText() : null;
    }
}
