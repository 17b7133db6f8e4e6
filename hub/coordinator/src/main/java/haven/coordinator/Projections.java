package haven.coordinator;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import haven.store.Dialect;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The incidents, rooms, isolations and data-breach ({@link Breaches}) tables rebuilt from the evidence log alone: every row of the log is
 * copied, in order, into a fresh database and projected there by the same {@link Projector} live ingest
 * uses. {@link #compare} names the first stored row that differs (verify-log); {@link #writeBack} replaces
 * the stored rows with the rebuilt ones (`haven rebuild-projections`).
 *
 * <p>What the log decides, and so what is compared: every column of an incident (matched by its report id)
 * and of an isolation (matched by room, machine and when it was requested) and its sign-offs, and of a room
 * the columns the log drives (last_seq, logged_seqs). A room's presence (online, since, version, AUP shown,
 * condition) comes from the hub's retained status, which is live state and not evidence; row ids are the
 * database's own numbers (kept by writeBack so links and audit rows stay valid), not compared.
 */
public final class Projections {
    private static final List<String> INCIDENT_COLUMNS = List.of("site", "room", "status", "presses", "category", "computer",
            "opened_at", "acked_at", "acked_by", "closed_at", "closed_by", "outcome", "notes", "url", "nature", "escalated_at",
            "open_at_end_of_day", "source", "about", "illegal", "logged_by", "summary", "assigned_to", "case_number",
            "came_forward_at", "came_forward_by", "received_at");
    private static final List<String> ISOLATION_COLUMNS = List.of("mac", "ip", "backend", "status", "verified", "detail",
            "applied_at", "release_requested_at", "released_at", "incident_report", "reason");
    private static final List<String> ISOLATION_KEY = List.of("site", "room", "machine", "requested_at");
    private static final List<String> BEFORE_CHAIN = List.of("status", "acked_at", "acked_by", "closed_at", "closed_by", "outcome",
            "notes", "url", "nature", "escalated_at");
    /** Columns held as integers: bound as numbers, since PostgreSQL does not turn text into an integer column. */
    private static final List<String> NUMBER_COLUMNS = List.of("id", "presses", "verified", "last_seq", "logged_seqs");

    // Generic copies (writeBack, a purge's checkpoint) move each value as the text the other table holds, times
    // and statuses included: parsing them would respell a time the log hashed in another form, and a rebuild
    // must compare and write back the stored text exactly. Table and column names come only from the lists above.
    private static final String INCIDENT_ROWS = "SELECT id, report_id, " + String.join(", ", INCIDENT_COLUMNS)
            + " FROM incidents ORDER BY id";
    // Not case_number: a rebuild of one incident alone numbers it as the year's first (docs/CASEWORK.md).
    private static final String INCIDENT_ROW = "SELECT id, report_id, " + String.join(", ", INCIDENT_COLUMNS.stream()
            .filter(col -> !col.equals("case_number")).toList()) + " FROM incidents WHERE report_id = :report";
    private static final String UPDATE_INCIDENT = "UPDATE incidents SET " + assignments(INCIDENT_COLUMNS)
            + " WHERE report_id = :report_id";
    private static final String INSERT_INCIDENT_WITH_ID = insertSql("incidents", concat("id", concat("report_id", INCIDENT_COLUMNS)));
    private static final String INSERT_INCIDENT = insertSql("incidents", concat("report_id", INCIDENT_COLUMNS));
    private static final String INCIDENT_ID_TAKEN = "SELECT 1 FROM incidents WHERE id = :id";
    private static final String DELETE_INCIDENT = "DELETE FROM incidents WHERE report_id = :report";
    private static final String CASE_NUMBERS_KEPT =
            "SELECT report_id, case_number FROM incidents WHERE case_number IS NOT NULL ORDER BY id";
    private static final String CLEAR_CASE_NUMBER = "UPDATE incidents SET case_number = NULL WHERE report_id = :report";
    private static final String SET_CASE_NUMBER = "UPDATE incidents SET case_number = :caseNumber WHERE report_id = :report";
    private static final String CASE_NUMBER_YEARS = "SELECT year, last FROM case_numbers ORDER BY year";
    private static final String DELETE_CASE_NUMBERS = "DELETE FROM case_numbers";
    private static final String INSERT_CASE_NUMBER = "INSERT INTO case_numbers(year, last) VALUES (:year, :last)";
    private static final String UPDATE_BEFORE_CHAIN = "UPDATE incidents SET " + assignments(BEFORE_CHAIN)
            + " WHERE report_id = :report_id";
    private static final String DECISIONS_BEFORE_CHAIN = "SELECT report_id, " + String.join(", ", BEFORE_CHAIN)
            + " FROM decisions_before_chain";
    private static final String ISOLATION_DECISIONS_BEFORE_CHAIN =
            "SELECT site, room, machine, requested_at, release_requested_at, staff, role, at FROM isolation_decisions_before_chain";
    private static final String RELEASE_REQUESTED_BEFORE_CHAIN =
            "UPDATE isolations SET release_requested_at = :at WHERE id = :id AND release_requested_at IS NULL";
    private static final String SIGN_OFF_BEFORE_CHAIN =
            "INSERT INTO signoffs(isolation_id, staff, role, at) VALUES (:id, :staff, :role, :at) ON CONFLICT DO NOTHING";
    private static final String CASE_ISOLATIONS_FROM = "SELECT max(pos) FROM case_isolations_from";
    private static final String DELETE_CASE_ISOLATIONS_FROM = "DELETE FROM case_isolations_from";
    private static final String INSERT_CASE_ISOLATIONS_FROM = "INSERT INTO case_isolations_from(pos) VALUES (:pos)";
    /** %s: nothing, or {@link #EVENTS_OF_REPORT} for one incident's entries. */
    private static final String LOGGED_EVENTS =
            "SELECT pos, id, site, room, seq, type, at, received_at, payload, prev_hash, hash FROM events%s ORDER BY pos";
    /** %s: the dialect's text of payload.data.report. */
    private static final String EVENTS_OF_REPORT = " WHERE id = :report OR %s = :report";
    private static final String COPY_EVENT = """
            INSERT INTO events(pos, id, site, room, seq, type, at, received_at, payload, prev_hash, hash)
            VALUES (:pos, :id, :site, :room, :seq, :type, :at, :receivedAt, :payload, :prevHash, :hash)""";
    private static final String ROOM_ROWS = "SELECT site, room, last_seq, logged_seqs FROM rooms ORDER BY site, room";
    private static final String ROOMS_LOGGED = "SELECT site, room, since, last_seq, logged_seqs FROM rooms ORDER BY site, room";
    // writeBack reads the rooms in table order: new rooms go in as the rebuild made them.
    private static final String REBUILT_ROOMS = "SELECT site, room, since, last_seq, logged_seqs FROM rooms";
    private static final String STORED_ROOMS = "SELECT site, room, last_seq, logged_seqs FROM rooms";
    private static final String ROOM_IF_ABSENT =
            "INSERT INTO rooms(site, room, online, since) VALUES (:site, :room, 1, :since) ON CONFLICT(site, room) DO NOTHING";
    private static final String INSERT_OFFLINE_ROOM = """
            INSERT INTO rooms(site, room, online, since, last_seq, logged_seqs)
            VALUES (:site, :room, 0, :since, :lastSeq, :loggedSeqs)""";
    private static final String SET_ROOM_LOGGED =
            "UPDATE rooms SET last_seq = :lastSeq, logged_seqs = :loggedSeqs WHERE site = :site AND room = :room";
    private static final String ISOLATION_ROWS = "SELECT id, " + String.join(", ", ISOLATION_KEY) + ", "
            + String.join(", ", ISOLATION_COLUMNS) + " FROM isolations ORDER BY id";
    private static final String UPDATE_ISOLATION = "UPDATE isolations SET " + assignments(ISOLATION_COLUMNS) + " WHERE id = :id";
    private static final String INSERT_ISOLATION_WITH_ID = insertSql("isolations", concat("id", concat(ISOLATION_KEY, ISOLATION_COLUMNS)));
    private static final String INSERT_ISOLATION = insertSql("isolations", concat(ISOLATION_KEY, ISOLATION_COLUMNS));
    private static final String ISOLATION_ID_TAKEN = "SELECT 1 FROM isolations WHERE id = :id";
    private static final String LAST_ISOLATION_ID = "SELECT max(id) FROM isolations";
    private static final String DELETE_ISOLATION = "DELETE FROM isolations WHERE id = :id";
    private static final String DELETE_ISOLATIONS = "DELETE FROM isolations";
    private static final String SIGN_OFF_ROWS = "SELECT staff, role, at FROM signoffs WHERE isolation_id = :id ORDER BY at, staff";
    private static final String SIGN_OFFS_OF = "SELECT staff, role, at FROM signoffs WHERE isolation_id = :id";
    private static final String INSERT_SIGN_OFF = "INSERT INTO signoffs(isolation_id, staff, role, at) VALUES (:id, :staff, :role, :at)";
    private static final String DELETE_SIGN_OFFS = "DELETE FROM signoffs";

    /** A room's log-driven columns, as a purge's checkpoint keeps them. */
    private record RoomLogged(String site, String room, String since, long lastSeq, long loggedSeqs) {
    }

    /** One row of the log as stored, copied verbatim (at and received_at as their logged text: the hashes cover it). */
    private record LoggedRow(long pos, String id, String site, String room, long seq, String type, String at,
                             String receivedAt, String payload, String prevHash, String hash) {
    }

    /** The first stored row that is not what the log says. */
    public record Difference(String table, String row, String reason) {
    }

    private Projections() {
    }

    /** Rebuilds into a fresh temporary SQLite database, hands it to {@code work}, then deletes it. */
    public static <T> T rebuilt(Handle source, Database.HandleWork<T> work) throws SQLException {
        return rebuilt(source, null, work);
    }

    /**
     * One incident rebuilt from its own entries of the log (its report's hub events and the decisions about
     * it), compared with its stored row: the check an export runs before it says "verified".
     */
    public static Optional<Difference> compareIncident(Handle stored, String reportId) throws SQLException {
        return rebuilt(stored, reportId, rebuilt -> compareRows(rows(stored, INCIDENT_ROW, Map.of("report", reportId)),
                byKey(rows(rebuilt, INCIDENT_ROW, Map.of("report", reportId)), "report_id")));
    }

    private static <T> T rebuilt(Handle source, String onlyReport, Database.HandleWork<T> work) throws SQLException {
        Path dir;
        try {
            dir = Files.createTempDirectory("haven-rebuild");
        } catch (IOException e) {
            throw new SQLException("cannot create a temporary folder for the rebuild: " + e.getMessage(), e);
        }
        try (Database scratch = Database.open(dir.resolve("rebuilt.db"), "db/coordinator")) {
            scratch.transaction(target -> {
                replay(source, target, onlyReport);
                return null;
            });
            return scratch.query(work);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temporary copy left behind holds only what the log holds; nothing to do
            }
        }
    }

    /**
     * Isolation events opened cases only from the upgrade that brought case work (V42; docs/CASEWORK.md): the
     * scratch copy takes the stored database's position, or none at all for a database from before it.
     */
    private static void caseIsolationsFrom(Handle source, Handle target) throws SQLException {
        long from = Long.MAX_VALUE;
        if (Dialect.of(source).hasTable(source, "case_isolations_from")) {
            Long max = source.createQuery(CASE_ISOLATIONS_FROM).mapTo(Long.class).one();
            from = max == null ? 0 : max; // an empty table: every isolation event opens cases
        }
        target.createUpdate(DELETE_CASE_ISOLATIONS_FROM).execute();
        target.createUpdate(INSERT_CASE_ISOLATIONS_FROM).bind("pos", from).execute();
    }

    /** Copies every logged row of {@code source} into {@code target} (fresh tables), projecting each as live ingest did. */
    public static void replay(Handle source, Handle target) throws SQLException {
        replay(source, target, null);
    }

    private static void replay(Handle source, Handle target, String onlyReport) throws SQLException {
        caseIsolationsFrom(source, target);
        Map<String, Map<String, String>> beforeChain = beforeChain(source);
        Map<String, List<Map<String, String>>> isolationsBefore = isolationsBeforeChain(source);
        Incidents incidents = new Incidents();
        Projector projector = new Projector(incidents, new Rooms(), new Isolations());
        EventCodec codec = new EventCodec();
        String where = onlyReport == null ? "" : EVENTS_OF_REPORT.formatted(Dialect.of(source).jsonText("payload", "data", "report"));
        Query logged = source.createQuery(LOGGED_EVENTS.formatted(where));
        if (onlyReport != null) {
            logged.bind("report", onlyReport);
        }
        try (ResultIterator<LoggedRow> rows = logged.map((rs, ctx) -> new LoggedRow(rs.getLong("pos"), rs.getString("id"),
                rs.getString("site"), rs.getString("room"), rs.getLong("seq"), rs.getString("type"), rs.getString("at"),
                rs.getString("received_at"), rs.getString("payload"), rs.getString("prev_hash"), rs.getString("hash"))).iterator()) {
            while (rows.hasNext()) {
                LoggedRow row = rows.next();
                target.createUpdate(COPY_EVENT)
                        .bind("pos", row.pos())
                        .bind("id", row.id())
                        .bind("site", row.site())
                        .bind("room", row.room())
                        .bind("seq", row.seq())
                        .bind("type", row.type())
                        .bind("at", row.at())
                        .bind("receivedAt", row.receivedAt())
                        .bind("payload", row.payload())
                        .bind("prevHash", row.prevHash())
                        .bind("hash", row.hash())
                        .execute();
                String type = row.type();
                String payload = row.payload();
                if (type.startsWith("coordinator.") || type.startsWith("notify.")) {
                    JsonNode json = Json.parse(payload.getBytes(StandardCharsets.UTF_8));
                    projector.record(target, type, new RoomId(row.site(), row.room()), Instant.parse(row.at()), json.path("data"));
                    continue;
                }
                Event event = codec.decodeLogged(payload.getBytes(StandardCharsets.UTF_8));
                Projector.Touched touched = projector.hubEvent(target, event, Instant.parse(row.receivedAt()));
                if (touched.incident().isPresent()) {
                    Map<String, String> before = beforeChain.remove(touched.incident().get().reportId());
                    if (before != null) {
                        applyBeforeChain(target, touched.incident().get().reportId(), before);
                    }
                }
                if (touched.isolation().isPresent()) {
                    IsolationView i = touched.isolation().get();
                    List<Map<String, String>> before = isolationsBefore.remove(i.room().site() + "/" + i.room().room() + " " + i.machine()
                            + " " + i.requestedAt());
                    if (before != null) {
                        applyIsolationBeforeChain(target, i.id(), before);
                    }
                }
            }
        }
    }

    /** Decisions an upgraded database held before they were chained (migration V10), kept once at the upgrade. */
    private static Map<String, Map<String, String>> beforeChain(Handle c) throws SQLException {
        Map<String, Map<String, String>> out = new HashMap<>();
        if (!Dialect.of(c).hasTable(c, "decisions_before_chain")) {
            return out;
        }
        c.createQuery(DECISIONS_BEFORE_CHAIN).map((rs, ctx) -> {
            Map<String, String> row = new LinkedHashMap<>();
            for (String col : BEFORE_CHAIN) {
                row.put(col, rs.getString(col));
            }
            return Map.entry(rs.getString("report_id"), row);
        }).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Sign-offs and release requests from before they were chained (migration V60), by isolation. */
    private static Map<String, List<Map<String, String>>> isolationsBeforeChain(Handle c) throws SQLException {
        Map<String, List<Map<String, String>>> out = new HashMap<>();
        if (!Dialect.of(c).hasTable(c, "isolation_decisions_before_chain")) {
            return out;
        }
        for (Map<String, String> row : rows(c, ISOLATION_DECISIONS_BEFORE_CHAIN)) {
            out.computeIfAbsent(row.get("site") + "/" + row.get("room") + " " + row.get("machine") + " " + row.get("requested_at"),
                    k -> new ArrayList<>()).add(row);
        }
        return out;
    }

    private static void applyIsolationBeforeChain(Handle c, long id, List<Map<String, String>> rows) throws SQLException {
        for (Map<String, String> row : rows) {
            if (row.get("release_requested_at") != null) {
                c.createUpdate(RELEASE_REQUESTED_BEFORE_CHAIN).bind("at", row.get("release_requested_at")).bind("id", id).execute();
            }
            if (row.get("staff") != null) {
                c.createUpdate(SIGN_OFF_BEFORE_CHAIN)
                        .bind("id", id)
                        .bind("staff", row.get("staff"))
                        .bind("role", row.get("role"))
                        .bind("at", row.get("at"))
                        .execute();
            }
        }
    }

    private static void applyBeforeChain(Handle c, String report, Map<String, String> before) throws SQLException {
        // before holds exactly the BEFORE_CHAIN columns (read by beforeChain), as text
        Update update = c.createUpdate(UPDATE_BEFORE_CHAIN).bind("report_id", report);
        for (String col : BEFORE_CHAIN) {
            update.bind(col, before.get(col));
        }
        update.execute();
    }

    // ---- a purge's checkpoint: what the log no longer holds, in its coordinator.purged record ------------------

    /**
     * Adds to a coordinator.purged record what a rebuild from the remaining log needs: the purged incidents'
     * report ids (their rows are deleted), the rooms' log-driven columns and every isolation with its
     * sign-offs as they stand now (their older events may be gone).
     */
    public static void snapshotForPurge(Handle c, List<String> purgedReports, ObjectNode data) throws SQLException {
        purgedReports.forEach(data.putArray("reports")::add);
        Breaches.snapshotForPurge(c, data);
        // Case numbers run without gaps per year in the order incidents opened; the purged incidents' numbers are
        // gone from the log with their events, so the kept incidents' numbers and each year's counter are kept here.
        if (Dialect.of(c).hasTable(c, "case_numbers")) {
            ArrayNode numbers = data.putArray("caseNumbers");
            java.util.Set<String> purged = new java.util.HashSet<>(purgedReports);
            for (Map<String, String> row : rows(c, CASE_NUMBERS_KEPT)) {
                if (!purged.contains(row.get("report_id"))) {
                    numbers.addObject().put("report", row.get("report_id")).put("caseNumber", row.get("case_number"));
                }
            }
            ObjectNode last = data.putObject("caseNumberLast");
            for (Map<String, String> row : rows(c, CASE_NUMBER_YEARS)) {
                last.put(row.get("year"), Long.parseLong(row.get("last")));
            }
        }
        ArrayNode rooms = data.putArray("rooms");
        for (RoomLogged r : c.createQuery(ROOMS_LOGGED).map((rs, ctx) -> new RoomLogged(rs.getString("site"), rs.getString("room"),
                rs.getString("since"), rs.getLong("last_seq"), rs.getLong("logged_seqs"))).list()) {
            rooms.addObject().put("site", r.site()).put("room", r.room()).put("since", r.since())
                    .put("lastSeq", r.lastSeq()).put("loggedSeqs", r.loggedSeqs());
        }
        ArrayNode isolations = data.putArray("isolations");
        for (Map<String, String> row : rows(c, ISOLATION_ROWS)) {
            ObjectNode o = isolations.addObject();
            row.forEach(o::put);
            ArrayNode signoffs = o.putArray("signoffs");
            for (Map<String, String> s : rows(c, SIGN_OFF_ROWS, Map.of("id", Long.parseLong(row.get("id"))))) {
                ObjectNode so = signoffs.addObject();
                s.forEach(so::put);
            }
        }
    }

    /** Replays a coordinator.purged record: the tables as the purge left them. */
    static void purged(Handle c, JsonNode data) throws SQLException {
        Breaches.purged(c, data);
        for (JsonNode report : data.path("reports")) {
            c.createUpdate(DELETE_INCIDENT).bind("report", report.asText()).execute();
        }
        if (data.has("caseNumbers")) {
            // Cleared first, then set: the numbers replayed so far were counted from the purge's cut, not from the year's start.
            for (JsonNode n : data.path("caseNumbers")) {
                c.createUpdate(CLEAR_CASE_NUMBER).bind("report", n.path("report").asText()).execute();
            }
            for (JsonNode n : data.path("caseNumbers")) {
                c.createUpdate(SET_CASE_NUMBER)
                        .bind("caseNumber", n.path("caseNumber").asText())
                        .bind("report", n.path("report").asText())
                        .execute();
            }
            c.createUpdate(DELETE_CASE_NUMBERS).execute();
            for (var e : data.path("caseNumberLast").properties()) {
                c.createUpdate(INSERT_CASE_NUMBER).bind("year", e.getKey()).bind("last", e.getValue().asLong()).execute();
            }
        }
        for (JsonNode r : data.path("rooms")) {
            c.createUpdate(ROOM_IF_ABSENT)
                    .bind("site", r.path("site").asText())
                    .bind("room", r.path("room").asText())
                    .bind("since", r.path("since").asText())
                    .execute();
            c.createUpdate(SET_ROOM_LOGGED)
                    .bind("lastSeq", r.path("lastSeq").asLong())
                    .bind("loggedSeqs", r.path("loggedSeqs").asLong())
                    .bind("site", r.path("site").asText())
                    .bind("room", r.path("room").asText())
                    .execute();
        }
        if (!data.has("isolations")) {
            return;
        }
        c.createUpdate(DELETE_SIGN_OFFS).execute();
        c.createUpdate(DELETE_ISOLATIONS).execute();
        for (JsonNode i : data.path("isolations")) {
            Update insert = c.createUpdate(INSERT_ISOLATION_WITH_ID).bind("id", i.path("id").asLong());
            for (String col : ISOLATION_KEY) {
                insert.bind(col, text(i, col));
            }
            for (String col : ISOLATION_COLUMNS) {
                if (col.equals("verified")) {
                    insert.bind(col, Integer.parseInt(i.path(col).asText("0")));
                } else {
                    insert.bind(col, text(i, col));
                }
            }
            insert.execute();
            for (JsonNode s : i.path("signoffs")) {
                c.createUpdate(INSERT_SIGN_OFF)
                        .bind("id", i.path("id").asLong())
                        .bind("staff", text(s, "staff"))
                        .bind("role", text(s, "role"))
                        .bind("at", text(s, "at"))
                        .execute();
            }
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    // ---- compare and write back -------------------------------------------------------------------------------

    /** The first difference between the stored tables and the rebuilt ones, table by table, then the case-work rows. */
    public static Optional<Difference> compare(Handle stored, Handle rebuilt) throws SQLException {
        Optional<Difference> d = compareIncidents(stored, rebuilt);
        if (d.isEmpty()) {
            d = compareRooms(stored, rebuilt);
        }
        if (d.isEmpty()) {
            d = compareIsolations(stored, rebuilt);
        }
        if (d.isEmpty()) {
            d = Breaches.compare(stored, rebuilt);
        }
        if (d.isEmpty()) {
            d = CaseWorkCheck.compare(stored);
        }
        return d;
    }

    private static Optional<Difference> compareIncidents(Handle stored, Handle rebuilt) throws SQLException {
        return compareRows(rows(stored, INCIDENT_ROWS), byKey(rows(rebuilt, INCIDENT_ROWS), "report_id"));
    }

    private static Optional<Difference> compareRows(List<Map<String, String>> stored, Map<String, Map<String, String>> want) {
        for (Map<String, String> row : stored) {
            Map<String, String> expected = want.remove(row.get("report_id"));
            if (expected == null) {
                return Optional.of(new Difference("incidents", "id " + row.get("id"), "the evidence log does not open this incident"));
            }
            for (String col : INCIDENT_COLUMNS) {
                if (!Objects.equals(expected.get(col), row.get(col))) {
                    return Optional.of(new Difference("incidents", "id " + row.get("id"), "column " + col
                            + " is not what the evidence log says"));
                }
            }
        }
        return want.keySet().stream().findFirst().map(report -> new Difference("incidents", "report " + report,
                "the evidence log opens this incident but the table has no row for it"));
    }

    private static Optional<Difference> compareRooms(Handle stored, Handle rebuilt) throws SQLException {
        Map<String, Map<String, String>> want = new LinkedHashMap<>();
        for (Map<String, String> r : rows(rebuilt, ROOM_ROWS)) {
            want.put(r.get("site") + "/" + r.get("room"), r);
        }
        for (Map<String, String> row : rows(stored, ROOM_ROWS)) {
            String key = row.get("site") + "/" + row.get("room");
            Map<String, String> expected = want.remove(key);
            for (String col : List.of("last_seq", "logged_seqs")) {
                String wanted = expected == null ? "0" : expected.get(col);
                if (!Objects.equals(wanted, row.get(col))) {
                    return Optional.of(new Difference("rooms", key, "column " + col + " is not what the evidence log says"));
                }
            }
        }
        return want.keySet().stream().findFirst().map(key -> new Difference("rooms", key,
                "the evidence log has events of this room but the table has no row for it"));
    }

    private static Optional<Difference> compareIsolations(Handle stored, Handle rebuilt) throws SQLException {
        Map<String, Map<String, String>> want = isolations(rebuilt);
        for (Map.Entry<String, Map<String, String>> e : isolations(stored).entrySet()) {
            Map<String, String> expected = want.remove(e.getKey());
            String row = "id " + e.getValue().get("id");
            if (expected == null) {
                return Optional.of(new Difference("isolations", row, "the evidence log does not have this isolation"));
            }
            for (String col : ISOLATION_COLUMNS) {
                if (!Objects.equals(expected.get(col), e.getValue().get(col))) {
                    return Optional.of(new Difference("isolations", row, "column " + col + " is not what the evidence log says"));
                }
            }
            if (!Objects.equals(expected.get("signoffs"), e.getValue().get("signoffs"))) {
                return Optional.of(new Difference("signoffs", "isolation " + e.getValue().get("id"),
                        "the sign-offs are not what the evidence log says"));
            }
        }
        return want.keySet().stream().findFirst().map(key -> new Difference("isolations", key,
                "the evidence log has this isolation but the table has no row for it"));
    }

    /** Isolations by room, machine and request time, each with its sign-offs as one text. */
    private static Map<String, Map<String, String>> isolations(Handle c) throws SQLException {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map<String, String> row : rows(c, ISOLATION_ROWS)) {
            List<String> signoffs = new ArrayList<>();
            for (Map<String, String> s : rows(c, SIGN_OFF_ROWS, Map.of("id", Long.parseLong(row.get("id"))))) {
                signoffs.add(s.get("staff") + "/" + s.get("role") + "/" + s.get("at"));
            }
            row.put("signoffs", String.join(",", signoffs));
            out.put(row.get("site") + "/" + row.get("room") + " " + row.get("machine") + " " + row.get("requested_at"), row);
        }
        return out;
    }

    /**
     * Replaces the stored rows with the rebuilt ones inside the caller's transaction, keeping each row's id
     * where the same incident (report) or isolation already had one; returns how many rows changed.
     */
    public static int writeBack(Handle stored, Handle rebuilt) throws SQLException {
        int changed = Breaches.writeBack(stored, rebuilt);
        Map<String, Map<String, String>> have = byKey(rows(stored, INCIDENT_ROWS), "report_id");
        for (Map<String, String> row : rows(rebuilt, INCIDENT_ROWS)) {
            Map<String, String> old = have.remove(row.get("report_id"));
            if (old != null && INCIDENT_COLUMNS.stream().allMatch(col -> Objects.equals(old.get(col), row.get(col)))) {
                continue;
            }
            changed++;
            if (old != null) {
                write(stored, UPDATE_INCIDENT, concat("report_id", INCIDENT_COLUMNS), row);
            } else if (!idTaken(stored, INCIDENT_ID_TAKEN, row.get("id"))) {
                // The log's own order numbers incidents as live ingest did: the same id, if free.
                write(stored, INSERT_INCIDENT_WITH_ID, concat("id", concat("report_id", INCIDENT_COLUMNS)), row);
            } else {
                write(stored, INSERT_INCIDENT, concat("report_id", INCIDENT_COLUMNS), row);
            }
        }
        for (Map<String, String> gone : have.values()) {
            changed += stored.createUpdate(DELETE_INCIDENT).bind("report", gone.get("report_id")).execute();
        }
        // Rooms: the columns the log drives; presence stays as the hubs last said.
        Map<String, Map<String, String>> rooms = new LinkedHashMap<>();
        for (Map<String, String> r : rows(rebuilt, REBUILT_ROOMS)) {
            rooms.put(r.get("site") + "/" + r.get("room"), r);
        }
        for (Map<String, String> r : rows(stored, STORED_ROOMS)) {
            Map<String, String> want = rooms.remove(r.get("site") + "/" + r.get("room"));
            String lastSeq = want == null ? "0" : want.get("last_seq");
            String logged = want == null ? "0" : want.get("logged_seqs");
            if (!lastSeq.equals(r.get("last_seq")) || !logged.equals(r.get("logged_seqs"))) {
                changed++;
                stored.createUpdate(SET_ROOM_LOGGED)
                        .bind("lastSeq", Long.parseLong(lastSeq))
                        .bind("loggedSeqs", Long.parseLong(logged))
                        .bind("site", r.get("site"))
                        .bind("room", r.get("room"))
                        .execute();
            }
        }
        for (Map<String, String> r : rooms.values()) {
            changed++;
            stored.createUpdate(INSERT_OFFLINE_ROOM)
                    .bind("site", r.get("site"))
                    .bind("room", r.get("room"))
                    .bind("since", r.get("since"))
                    .bind("lastSeq", Long.parseLong(r.get("last_seq")))
                    .bind("loggedSeqs", Long.parseLong(r.get("logged_seqs")))
                    .execute();
        }
        // Isolations and their sign-offs, ids kept by room, machine and request time.
        Map<String, Map<String, String>> storedIsolations = isolations(stored);
        Map<String, Map<String, String>> rebuiltIsolations = isolations(rebuilt);
        if (storedIsolations.equals(withoutIds(storedIsolations, rebuiltIsolations))) {
            return changed;
        }
        stored.createUpdate(DELETE_SIGN_OFFS).execute();
        List<String> isolationColumns = concat(ISOLATION_KEY, ISOLATION_COLUMNS);
        for (Map.Entry<String, Map<String, String>> e : rebuiltIsolations.entrySet()) {
            changed++;
            Map<String, String> old = storedIsolations.remove(e.getKey());
            long id;
            if (old != null) {
                id = Long.parseLong(old.get("id"));
                Map<String, String> row = new LinkedHashMap<>(e.getValue());
                row.put("id", old.get("id"));
                write(stored, UPDATE_ISOLATION, concat("id", ISOLATION_COLUMNS), row);
            } else if (!idTaken(stored, ISOLATION_ID_TAKEN, e.getValue().get("id"))) {
                id = Long.parseLong(e.getValue().get("id"));
                write(stored, INSERT_ISOLATION_WITH_ID, concat("id", isolationColumns), e.getValue());
            } else {
                write(stored, INSERT_ISOLATION, isolationColumns, e.getValue());
                id = stored.createQuery(LAST_ISOLATION_ID).mapTo(long.class).one();
            }
            for (Map<String, String> s : rows(rebuilt, SIGN_OFFS_OF, Map.of("id", Long.parseLong(e.getValue().get("id"))))) {
                stored.createUpdate(INSERT_SIGN_OFF)
                        .bind("id", id)
                        .bind("staff", s.get("staff"))
                        .bind("role", s.get("role"))
                        .bind("at", s.get("at"))
                        .execute();
            }
        }
        for (Map<String, String> gone : storedIsolations.values()) {
            changed += stored.createUpdate(DELETE_ISOLATION).bind("id", Long.parseLong(gone.get("id"))).execute();
        }
        return changed;
    }

    /** The rebuilt isolations with the stored ids, so an unchanged table compares equal. */
    private static Map<String, Map<String, String>> withoutIds(Map<String, Map<String, String>> stored,
                                                               Map<String, Map<String, String>> rebuilt) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        rebuilt.forEach((key, row) -> {
            Map<String, String> copy = new LinkedHashMap<>(row);
            Map<String, String> old = stored.get(key);
            copy.put("id", old == null ? "new" : old.get("id"));
            out.put(key, copy);
        });
        return out;
    }

    /** True when the id cannot be given: in use, or PostgreSQL, whose ids are GENERATED ALWAYS. */
    private static boolean idTaken(Handle c, String sql, String id) throws SQLException {
        if (Dialect.of(c) != Dialect.SQLITE) {
            return true;
        }
        return c.createQuery(sql).bind("id", Long.parseLong(id)).mapTo(Integer.class).findOne().isPresent();
    }

    private static List<String> concat(String first, List<String> rest) {
        return concat(List.of(first), rest);
    }

    private static List<String> concat(List<String> first, List<String> rest) {
        List<String> out = new ArrayList<>(first);
        out.addAll(rest);
        return out;
    }

    /** {@code a = :a, b = :b} for the SET of an UPDATE; the columns are this class's own lists. */
    private static String assignments(List<String> columns) {
        return String.join(", ", columns.stream().map(col -> col + " = :" + col).toList());
    }

    /** An INSERT of the columns, each bound by its own name; the table and columns are this class's own constants. */
    private static String insertSql(String table, List<String> columns) {
        return "INSERT INTO " + table + "(" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", columns.stream().map(col -> ":" + col).toList()) + ")";
    }

    /** Runs one of the UPDATE/INSERT constants above with each of {@code columns} bound, by its name, from the row's text. */
    private static void write(Handle c, String sql, List<String> columns, Map<String, String> row) {
        Update update = c.createUpdate(sql);
        for (String col : columns) {
            String value = row.get(col);
            // Numbers stay numbers (PostgreSQL does not turn text into an integer column).
            if (value != null && NUMBER_COLUMNS.contains(col)) {
                update.bind(col, Long.parseLong(value));
            } else {
                update.bind(col, value);
            }
        }
        update.execute();
    }

    private static Map<String, Map<String, String>> byKey(List<Map<String, String>> rows, String key) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r.get(key), r));
        return out;
    }

    /** Every row as column name -> text (null stays null), so SQLite and PostgreSQL values compare alike. */
    static List<Map<String, String>> rows(Handle c, String sql) throws SQLException {
        return rows(c, sql, Map.of());
    }

    /** As {@link #rows(Handle, String)}, with the statement's named parameters bound from {@code args}. */
    private static List<Map<String, String>> rows(Handle c, String sql, Map<String, ?> args) throws SQLException {
        return c.createQuery(sql).bindMap(args).map((rs, ctx) -> {
            ResultSetMetaData meta = rs.getMetaData();
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                Object v = rs.getObject(i);
                row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), v == null ? null : String.valueOf(v));
            }
            return row;
        }).list();
    }
}
