package haven.coordinator;

import org.jdbi.v3.core.Handle;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
    private static final List<String> BEFORE_CHAIN = List.of("status", "acked_at", "acked_by", "closed_at", "closed_by", "outcome",
            "notes", "url", "nature", "escalated_at");

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
        return rebuilt(stored, reportId, rebuilt -> {
            // Not case_number: a rebuild of one incident alone numbers it as the year's first (docs/CASEWORK.md).
            String sql = "SELECT id, report_id, " + String.join(", ", INCIDENT_COLUMNS.stream().filter(col -> !col.equals("case_number"))
                    .toList()) + " FROM incidents WHERE report_id = '"
                    + reportId.replace("'", "''") + "'";
            return compareRows(rows(stored, sql), byKey(rows(rebuilt, sql), "report_id"));
        });
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
            try (PreparedStatement ps = source.getConnection().prepareStatement("SELECT max(pos) FROM case_isolations_from"); ResultSet rs = ps.executeQuery()) {
                from = rs.next() ? rs.getLong(1) : 0;
            }
        }
        try (PreparedStatement del = target.getConnection().prepareStatement("DELETE FROM case_isolations_from");
             PreparedStatement ins = target.getConnection().prepareStatement("INSERT INTO case_isolations_from(pos) VALUES (?)")) {
            del.executeUpdate();
            ins.setLong(1, from);
            ins.executeUpdate();
        }
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
        String where = onlyReport == null ? "" : " WHERE id = ? OR " + Dialect.of(source).jsonText("payload", "data", "report") + " = ?";
        try (PreparedStatement ps = source.getConnection().prepareStatement(
                "SELECT pos, id, site, room, seq, type, at, received_at, payload, prev_hash, hash FROM events" + where + " ORDER BY pos");
             ResultSet rs = query(ps, onlyReport);
             PreparedStatement insert = target.getConnection().prepareStatement("""
                     INSERT INTO events(pos, id, site, room, seq, type, at, received_at, payload, prev_hash, hash)
                     VALUES (?,?,?,?,?,?,?,?,?,?,?)""")) {
            while (rs.next()) {
                for (int i = 1; i <= 11; i++) {
                    insert.setObject(i, rs.getObject(i));
                }
                insert.executeUpdate();
                String type = rs.getString(6);
                String payload = rs.getString(9);
                if (type.startsWith("coordinator.") || type.startsWith("notify.")) {
                    JsonNode json = Json.parse(payload.getBytes(StandardCharsets.UTF_8));
                    projector.record(target, type, new RoomId(rs.getString(3), rs.getString(4)), Instant.parse(rs.getString(7)),
                            json.path("data"));
                    continue;
                }
                Event event = codec.decodeLogged(payload.getBytes(StandardCharsets.UTF_8));
                Projector.Touched touched = projector.hubEvent(target, event, Instant.parse(rs.getString(8)));
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

    private static ResultSet query(PreparedStatement ps, String report) throws SQLException {
        if (report != null) {
            ps.setString(1, report);
            ps.setString(2, report);
        }
        return ps.executeQuery();
    }

    /** Decisions an upgraded database held before they were chained (migration V10), kept once at the upgrade. */
    private static Map<String, Map<String, String>> beforeChain(Handle c) throws SQLException {
        Map<String, Map<String, String>> out = new HashMap<>();
        if (!Dialect.of(c).hasTable(c, "decisions_before_chain")) {
            return out;
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT report_id, " + String.join(", ", BEFORE_CHAIN) + " FROM decisions_before_chain");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < BEFORE_CHAIN.size(); i++) {
                    row.put(BEFORE_CHAIN.get(i), rs.getString(i + 2));
                }
                out.put(rs.getString(1), row);
            }
        }
        return out;
    }

    /** Sign-offs and release requests from before they were chained (migration V60), by isolation. */
    private static Map<String, List<Map<String, String>>> isolationsBeforeChain(Handle c) throws SQLException {
        Map<String, List<Map<String, String>>> out = new HashMap<>();
        if (!Dialect.of(c).hasTable(c, "isolation_decisions_before_chain")) {
            return out;
        }
        for (Map<String, String> row : rows(c, "SELECT site, room, machine, requested_at, release_requested_at, staff, role, at"
                + " FROM isolation_decisions_before_chain")) {
            out.computeIfAbsent(row.get("site") + "/" + row.get("room") + " " + row.get("machine") + " " + row.get("requested_at"),
                    k -> new ArrayList<>()).add(row);
        }
        return out;
    }

    private static void applyIsolationBeforeChain(Handle c, long id, List<Map<String, String>> rows) throws SQLException {
        for (Map<String, String> row : rows) {
            if (row.get("release_requested_at") != null) {
                try (PreparedStatement ps = c.getConnection().prepareStatement(
                        "UPDATE isolations SET release_requested_at = ? WHERE id = ? AND release_requested_at IS NULL")) {
                    ps.setString(1, row.get("release_requested_at"));
                    ps.setLong(2, id);
                    ps.executeUpdate();
                }
            }
            if (row.get("staff") != null) {
                try (PreparedStatement ps = c.getConnection().prepareStatement(
                        "INSERT INTO signoffs(isolation_id, staff, role, at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING")) {
                    ps.setLong(1, id);
                    ps.setString(2, row.get("staff"));
                    ps.setString(3, row.get("role"));
                    ps.setString(4, row.get("at"));
                    ps.executeUpdate();
                }
            }
        }
    }

    private static void applyBeforeChain(Handle c, String report, Map<String, String> before) throws SQLException {
        StringBuilder sql = new StringBuilder("UPDATE incidents SET ");
        sql.append(String.join(" = ?, ", before.keySet())).append(" = ? WHERE report_id = ?");
        try (PreparedStatement ps = c.getConnection().prepareStatement(sql.toString())) {
            int i = 1;
            for (String v : before.values()) {
                ps.setString(i++, v);
            }
            ps.setString(i, report);
            ps.executeUpdate();
        }
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
            for (Map<String, String> row : rows(c, "SELECT report_id, case_number FROM incidents WHERE case_number IS NOT NULL ORDER BY id")) {
                if (!purged.contains(row.get("report_id"))) {
                    numbers.addObject().put("report", row.get("report_id")).put("caseNumber", row.get("case_number"));
                }
            }
            ObjectNode last = data.putObject("caseNumberLast");
            for (Map<String, String> row : rows(c, "SELECT year, last FROM case_numbers ORDER BY year")) {
                last.put(row.get("year"), Long.parseLong(row.get("last")));
            }
        }
        ArrayNode rooms = data.putArray("rooms");
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room, since, last_seq, logged_seqs FROM rooms ORDER BY site, room");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rooms.addObject().put("site", rs.getString(1)).put("room", rs.getString(2)).put("since", rs.getString(3))
                        .put("lastSeq", rs.getLong(4)).put("loggedSeqs", rs.getLong(5));
            }
        }
        ArrayNode isolations = data.putArray("isolations");
        for (Map<String, String> row : rows(c, "SELECT id, site, room, machine, requested_at, " + String.join(", ", ISOLATION_COLUMNS)
                + " FROM isolations ORDER BY id")) {
            ObjectNode o = isolations.addObject();
            row.forEach(o::put);
            ArrayNode signoffs = o.putArray("signoffs");
            for (Map<String, String> s : rows(c, "SELECT staff, role, at FROM signoffs WHERE isolation_id = " + Long.parseLong(row.get("id"))
                    + " ORDER BY at, staff")) {
                ObjectNode so = signoffs.addObject();
                s.forEach(so::put);
            }
        }
    }

    /** Replays a coordinator.purged record: the tables as the purge left them. */
    static void purged(Handle c, JsonNode data) throws SQLException {
        Breaches.purged(c, data);
        try (PreparedStatement ps = c.getConnection().prepareStatement("DELETE FROM incidents WHERE report_id = ?")) {
            for (JsonNode report : data.path("reports")) {
                ps.setString(1, report.asText());
                ps.executeUpdate();
            }
        }
        if (data.has("caseNumbers")) {
            // Cleared first, then set: the numbers replayed so far were counted from the purge's cut, not from the year's start.
            try (PreparedStatement clear = c.getConnection().prepareStatement("UPDATE incidents SET case_number = NULL WHERE report_id = ?")) {
                for (JsonNode n : data.path("caseNumbers")) {
                    clear.setString(1, n.path("report").asText());
                    clear.executeUpdate();
                }
            }
            try (PreparedStatement set = c.getConnection().prepareStatement("UPDATE incidents SET case_number = ? WHERE report_id = ?")) {
                for (JsonNode n : data.path("caseNumbers")) {
                    set.setString(1, n.path("caseNumber").asText());
                    set.setString(2, n.path("report").asText());
                    set.executeUpdate();
                }
            }
            try (PreparedStatement wipe = c.getConnection().prepareStatement("DELETE FROM case_numbers")) {
                wipe.executeUpdate();
            }
            try (PreparedStatement put = c.getConnection().prepareStatement("INSERT INTO case_numbers(year, last) VALUES (?, ?)")) {
                for (var e : data.path("caseNumberLast").properties()) {
                    put.setString(1, e.getKey());
                    put.setLong(2, e.getValue().asLong());
                    put.executeUpdate();
                }
            }
        }
        for (JsonNode r : data.path("rooms")) {
            try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO rooms(site, room, online, since) VALUES (?,?,1,?)"
                    + " ON CONFLICT(site, room) DO NOTHING")) {
                ps.setString(1, r.path("site").asText());
                ps.setString(2, r.path("room").asText());
                ps.setString(3, r.path("since").asText());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE rooms SET last_seq = ?, logged_seqs = ? WHERE site = ? AND room = ?")) {
                ps.setLong(1, r.path("lastSeq").asLong());
                ps.setLong(2, r.path("loggedSeqs").asLong());
                ps.setString(3, r.path("site").asText());
                ps.setString(4, r.path("room").asText());
                ps.executeUpdate();
            }
        }
        if (!data.has("isolations")) {
            return;
        }
        try (PreparedStatement a = c.getConnection().prepareStatement("DELETE FROM signoffs"); PreparedStatement b = c.getConnection().prepareStatement("DELETE FROM isolations")) {
            a.executeUpdate();
            b.executeUpdate();
        }
        for (JsonNode i : data.path("isolations")) {
            try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO isolations(id, site, room, machine, requested_at, "
                    + String.join(", ", ISOLATION_COLUMNS) + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setLong(1, i.path("id").asLong());
                int n = 2;
                for (String col : List.of("site", "room", "machine", "requested_at")) {
                    ps.setString(n++, text(i, col));
                }
                for (String col : ISOLATION_COLUMNS) {
                    if (col.equals("verified")) {
                        ps.setInt(n++, Integer.parseInt(i.path(col).asText("0")));
                    } else {
                        ps.setString(n++, text(i, col));
                    }
                }
                ps.executeUpdate();
            }
            for (JsonNode s : i.path("signoffs")) {
                try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO signoffs(isolation_id, staff, role, at) VALUES (?,?,?,?)")) {
                    ps.setLong(1, i.path("id").asLong());
                    ps.setString(2, text(s, "staff"));
                    ps.setString(3, text(s, "role"));
                    ps.setString(4, text(s, "at"));
                    ps.executeUpdate();
                }
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
        String sql = "SELECT id, report_id, " + String.join(", ", INCIDENT_COLUMNS) + " FROM incidents ORDER BY id";
        return compareRows(rows(stored, sql), byKey(rows(rebuilt, sql), "report_id"));
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
        String sql = "SELECT site, room, last_seq, logged_seqs FROM rooms ORDER BY site, room";
        Map<String, Map<String, String>> want = new LinkedHashMap<>();
        for (Map<String, String> r : rows(rebuilt, sql)) {
            want.put(r.get("site") + "/" + r.get("room"), r);
        }
        for (Map<String, String> row : rows(stored, sql)) {
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
        for (Map<String, String> row : rows(c, "SELECT id, site, room, machine, requested_at, " + String.join(", ", ISOLATION_COLUMNS)
                + " FROM isolations ORDER BY id")) {
            List<String> signoffs = new ArrayList<>();
            for (Map<String, String> s : rows(c, "SELECT staff, role, at FROM signoffs WHERE isolation_id = " + Long.parseLong(row.get("id"))
                    + " ORDER BY at, staff")) {
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
        String incidentSql = "SELECT id, report_id, " + String.join(", ", INCIDENT_COLUMNS) + " FROM incidents ORDER BY id";
        Map<String, Map<String, String>> have = byKey(rows(stored, incidentSql), "report_id");
        for (Map<String, String> row : rows(rebuilt, incidentSql)) {
            Map<String, String> old = have.remove(row.get("report_id"));
            if (old != null && INCIDENT_COLUMNS.stream().allMatch(col -> Objects.equals(old.get(col), row.get(col)))) {
                continue;
            }
            changed++;
            if (old != null) {
                update(stored, "incidents", INCIDENT_COLUMNS, row, "report_id = ?", row.get("report_id"));
            } else if (!idTaken(stored, "incidents", row.get("id"))) {
                // The log's own order numbers incidents as live ingest did: the same id, if free.
                insert(stored, "incidents", concat("id", concat("report_id", INCIDENT_COLUMNS)), row);
            } else {
                insert(stored, "incidents", concat("report_id", INCIDENT_COLUMNS), row);
            }
        }
        for (Map<String, String> gone : have.values()) {
            changed += exec(stored, "DELETE FROM incidents WHERE report_id = ?", gone.get("report_id"));
        }
        // Rooms: the columns the log drives; presence stays as the hubs last said.
        Map<String, Map<String, String>> rooms = new LinkedHashMap<>();
        for (Map<String, String> r : rows(rebuilt, "SELECT site, room, since, last_seq, logged_seqs FROM rooms")) {
            rooms.put(r.get("site") + "/" + r.get("room"), r);
        }
        for (Map<String, String> r : rows(stored, "SELECT site, room, last_seq, logged_seqs FROM rooms")) {
            Map<String, String> want = rooms.remove(r.get("site") + "/" + r.get("room"));
            String lastSeq = want == null ? "0" : want.get("last_seq");
            String logged = want == null ? "0" : want.get("logged_seqs");
            if (!lastSeq.equals(r.get("last_seq")) || !logged.equals(r.get("logged_seqs"))) {
                changed++;
                try (PreparedStatement ps = stored.getConnection().prepareStatement("UPDATE rooms SET last_seq = ?, logged_seqs = ? WHERE site = ? AND room = ?")) {
                    ps.setLong(1, Long.parseLong(lastSeq));
                    ps.setLong(2, Long.parseLong(logged));
                    ps.setString(3, r.get("site"));
                    ps.setString(4, r.get("room"));
                    ps.executeUpdate();
                }
            }
        }
        for (Map<String, String> r : rooms.values()) {
            changed++;
            try (PreparedStatement ps = stored.getConnection().prepareStatement(
                    "INSERT INTO rooms(site, room, online, since, last_seq, logged_seqs) VALUES (?,?,0,?,?,?)")) {
                ps.setString(1, r.get("site"));
                ps.setString(2, r.get("room"));
                ps.setString(3, r.get("since"));
                ps.setLong(4, Long.parseLong(r.get("last_seq")));
                ps.setLong(5, Long.parseLong(r.get("logged_seqs")));
                ps.executeUpdate();
            }
        }
        // Isolations and their sign-offs, ids kept by room, machine and request time.
        Map<String, Map<String, String>> storedIsolations = isolations(stored);
        Map<String, Map<String, String>> rebuiltIsolations = isolations(rebuilt);
        if (storedIsolations.equals(withoutIds(storedIsolations, rebuiltIsolations))) {
            return changed;
        }
        exec(stored, "DELETE FROM signoffs", null);
        List<String> isolationColumns = concat("site", concat("room", concat("machine", concat("requested_at", ISOLATION_COLUMNS))));
        for (Map.Entry<String, Map<String, String>> e : rebuiltIsolations.entrySet()) {
            changed++;
            Map<String, String> old = storedIsolations.remove(e.getKey());
            long id;
            if (old != null) {
                id = Long.parseLong(old.get("id"));
                update(stored, "isolations", ISOLATION_COLUMNS, e.getValue(), "id = ?", old.get("id"));
            } else if (!idTaken(stored, "isolations", e.getValue().get("id"))) {
                id = Long.parseLong(e.getValue().get("id"));
                insert(stored, "isolations", concat("id", isolationColumns), e.getValue());
            } else {
                insert(stored, "isolations", isolationColumns, e.getValue());
                try (PreparedStatement ps = stored.getConnection().prepareStatement("SELECT max(id) FROM isolations"); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            for (Map<String, String> s : rows(rebuilt, "SELECT staff, role, at FROM signoffs WHERE isolation_id = "
                    + Long.parseLong(e.getValue().get("id")))) {
                try (PreparedStatement ps = stored.getConnection().prepareStatement("INSERT INTO signoffs(isolation_id, staff, role, at) VALUES (?,?,?,?)")) {
                    ps.setLong(1, id);
                    ps.setString(2, s.get("staff"));
                    ps.setString(3, s.get("role"));
                    ps.setString(4, s.get("at"));
                    ps.executeUpdate();
                }
            }
        }
        for (Map<String, String> gone : storedIsolations.values()) {
            changed += exec(stored, "DELETE FROM isolations WHERE id = ?", gone.get("id"));
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
    private static boolean idTaken(Handle c, String table, String id) throws SQLException {
        if (Dialect.of(c) != Dialect.SQLITE) {
            return true;
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, Long.parseLong(id));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }

    private static void update(Handle c, String table, List<String> columns, Map<String, String> row, String where, String key)
            throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE " + table + " SET " + String.join(" = ?, ", columns) + " = ? WHERE " + where)) {
            int i = 1;
            for (String col : columns) {
                set(ps, i++, col, row.get(col));
            }
            ps.setObject(i, key.matches("\\d+") && where.startsWith("id") ? Long.parseLong(key) : key);
            ps.executeUpdate();
        }
    }

    private static void insert(Handle c, String table, List<String> columns, Map<String, String> row) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO " + table + "(" + String.join(", ", columns) + ") VALUES ("
                + String.join(",", java.util.Collections.nCopies(columns.size(), "?")) + ")")) {
            int i = 1;
            for (String col : columns) {
                set(ps, i++, col, row.get(col));
            }
            ps.executeUpdate();
        }
    }

    /** Numbers stay numbers (PostgreSQL does not turn text into an integer column). */
    private static void set(PreparedStatement ps, int i, String column, String value) throws SQLException {
        if (value != null && List.of("id", "presses", "verified", "last_seq", "logged_seqs").contains(column)) {
            ps.setLong(i, Long.parseLong(value));
        } else {
            ps.setString(i, value);
        }
    }

    private static int exec(Handle c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(sql)) {
            if (arg != null) {
                ps.setObject(1, arg.matches("\\d+") && sql.contains("id = ?") ? Long.parseLong(arg) : arg);
            }
            return ps.executeUpdate();
        }
    }

    private static Map<String, Map<String, String>> byKey(List<Map<String, String>> rows, String key) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r.get(key), r));
        return out;
    }

    /** Every row as column name -> text (null stays null), so SQLite and PostgreSQL values compare alike. */
    static List<Map<String, String>> rows(Handle c, String sql) throws SQLException {
        List<Map<String, String>> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.put(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), v == null ? null : String.valueOf(v));
                }
                out.add(row);
            }
        }
        return out;
    }
}
