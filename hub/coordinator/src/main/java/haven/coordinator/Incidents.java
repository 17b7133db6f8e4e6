package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Event;
import haven.protocol.Category;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The incident log's SQL: one incident per worry report, updated by follow-up events and staff. */
public final class Incidents {

    /** For tools that replay events without a receive time of their own (benchmarks): the hub's time stands in. */
    public Optional<Incident> apply(Handle c, Event event) throws SQLException {
        return apply(c, event, event.at());
    }

    /**
     * Applies a worry event inside the ingest transaction; returns the incident it touched. {@code receivedAt} is
     * the coordinator's clock: what escalation and the lists go by.
     */
    public Optional<Incident> apply(Handle c, Event event, Instant receivedAt) throws SQLException {
        Dialect dialect = Dialect.of(c);
        switch (event.type()) {
            case WORRY_REPORTED -> {
                try (PreparedStatement ps = c.getConnection().prepareStatement("""
                        INSERT INTO incidents(report_id, site, room, status, presses, category, computer, opened_at, received_at)
                        VALUES (?,?,?,'open',?,?,?,?,?)
                        ON CONFLICT(report_id) DO UPDATE SET presses = %s,
                            category = coalesce(incidents.category, excluded.category),
                            computer = coalesce(incidents.computer, excluded.computer)""".formatted(
                        dialect.greatest("incidents.presses", "excluded.presses")))) {
                    ps.setString(1, event.id());
                    ps.setString(2, event.room().site());
                    ps.setString(3, event.room().room());
                    ps.setLong(4, event.data().path("presses").asLong(1));
                    ps.setString(5, text(event, "category"));
                    ps.setString(6, text(event, "computer"));
                    ps.setString(7, Json.time(event.at()));
                    ps.setString(8, Json.time(receivedAt));
                    ps.executeUpdate();
                }
                return numbered(c, find(c, event.id()));
            }
            case WORRY_REPEATED -> {
                String report = event.data().path("report").asText();
                ensureOpened(c, event, report, receivedAt);
                try (PreparedStatement ps = c.getConnection().prepareStatement(
                        "UPDATE incidents SET presses = " + dialect.greatest("presses", "?") + " WHERE report_id = ?")) {
                    ps.setLong(1, event.data().path("presses").asLong());
                    ps.setString(2, report);
                    ps.executeUpdate();
                }
                return numbered(c, find(c, report));
            }
            case WORRY_DETAILED -> {
                String report = event.data().path("report").asText();
                ensureOpened(c, event, report, receivedAt);
                try (PreparedStatement ps = c.getConnection().prepareStatement(
                        "UPDATE incidents SET category = coalesce(?, category), computer = coalesce(?, computer) WHERE report_id = ?")) {
                    ps.setString(1, text(event, "category"));
                    ps.setString(2, text(event, "computer"));
                    ps.setString(3, report);
                    ps.executeUpdate();
                }
                return numbered(c, find(c, report));
            }
            case FILTER_CHECKED -> {
                return failedCheck(c, event);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** The report id a worry event opens or names, or empty for other events. */
    public static Optional<String> reportOf(Event event) {
        return switch (event.type()) {
            case WORRY_REPORTED -> Optional.of(event.id());
            case WORRY_REPEATED, WORRY_DETAILED, WORRY_FOLLOW_UP -> Optional.of(event.data().path("report").asText(""));
            default -> Optional.empty();
        };
    }

    /** The room of the incident with this report id, if there is one. */
    public Optional<RoomId> roomOf(Handle c, String reportId) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room FROM incidents WHERE report_id = ?")) {
            ps.setString(1, reportId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new RoomId(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    /** Worries of one room nobody has acknowledged yet (open or escalated): what the per-room cap counts. */
    public long unacknowledged(Handle c, RoomId room) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT count(*) FROM incidents WHERE site = ? AND room = ?"
                + " AND status IN ('open', 'escalated') AND source = 'worry'")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * A filter check where something expected blocked was reachable opens one incident for the technician
     * (source filter-check, docs/FILTERING.md): one per check, however many targets got through, keyed by the
     * check's event id, so a redelivered check opens nothing new.
     */
    private Optional<Incident> failedCheck(Handle c, Event event) throws SQLException {
        boolean failed = false;
        for (var r : event.data().path("results")) {
            failed |= haven.protocol.FilterResult.fromJson(r).failed();
        }
        if (!failed) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO incidents(report_id, site, room, status, presses, opened_at, source)
                VALUES (?,?,?,'open',0,?,?) ON CONFLICT(report_id) DO NOTHING""")) {
            ps.setString(1, event.id());
            ps.setString(2, event.room().site());
            ps.setString(3, event.room().room());
            ps.setString(4, Json.time(event.at()));
            ps.setString(5, IncidentSource.FILTER_CHECK.wire());
            ps.executeUpdate();
        }
        return numbered(c, find(c, event.id()));
    }

    /**
     * A follow-up can arrive before its report (out-of-order delivery after an outage): open the
     * incident from the follow-up so nothing waits on ordering; the report fills in when it lands.
     */
    private static void ensureOpened(Handle c, Event event, String report, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO incidents(report_id, site, room, status, presses, opened_at, received_at)
                VALUES (?,?,?,'open',1,?,?) ON CONFLICT(report_id) DO NOTHING""")) {
            ps.setString(1, report);
            ps.setString(2, event.room().site());
            ps.setString(3, event.room().room());
            ps.setString(4, Json.time(event.at()));
            ps.setString(5, Json.time(receivedAt));
            ps.executeUpdate();
        }
    }

    /**
     * The one place case numbers are given (docs/CASEWORK.md): the next number of the year the incident
     * opened in, once, inside the transaction that opened it, so a rollback returns the number and a
     * year's numbers have no gaps. 2026-0007 is the seventh incident opened in 2026.
     */
    public Optional<Incident> numbered(Handle c, Optional<Incident> incident) throws SQLException {
        if (incident.isEmpty() || incident.get().caseNumber() != null) {
            return incident;
        }
        String year = incident.get().openedAt().substring(0, 4);
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "INSERT INTO case_numbers(year, last) VALUES (?, 1) ON CONFLICT(year) DO UPDATE SET last = case_numbers.last + 1")) {
            ps.setString(1, year);
            ps.executeUpdate();
        }
        long last;
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT last FROM case_numbers WHERE year = ?")) {
            ps.setString(1, year);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                last = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE incidents SET case_number = ? WHERE id = ? AND case_number IS NULL")) {
            ps.setString(1, String.format(java.util.Locale.ROOT, "%s-%04d", year, last));
            ps.setLong(2, incident.get().id());
            ps.executeUpdate();
        }
        return find(c, incident.get().id());
    }

    private static String text(Event event, String field) {
        return event.data().hasNonNull(field) ? event.data().get(field).asText() : null;
    }

    public Optional<Incident> find(Handle c, String reportId) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + Incident.COLUMNS + " FROM incidents WHERE report_id = ?")) {
            ps.setString(1, reportId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Incident.from(rs)) : Optional.empty();
            }
        }
    }

    public Optional<Incident> find(Handle c, long id) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + Incident.COLUMNS + " FROM incidents WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Incident.from(rs)) : Optional.empty();
            }
        }
    }

    /**
     * The log's events of one report: the press itself and every follow-up naming it in data.report.
     * The caller closes the statement.
     */
    static PreparedStatement reportEvents(Handle c, Incident incident, String columns, String orderBy) throws SQLException {
        PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + columns + " FROM events WHERE id = ?"
                + " OR (site = ? AND room = ? AND " + Dialect.of(c).jsonText("payload", "data", "report") + " = ?)"
                + " ORDER BY " + orderBy);
        ps.setString(1, incident.reportId());
        ps.setString(2, incident.room().site());
        ps.setString(3, incident.room().room());
        ps.setString(4, incident.reportId());
        return ps;
    }

    /** Every logged event of one report (the press, more presses, detail) and every staff action on it, by time. */
    public List<ObjectNode> chronology(Handle c, Incident incident) throws SQLException {
        List<ObjectNode> out = new ArrayList<>();
        try (PreparedStatement ps = reportEvents(c, incident, "type, at, received_at, payload", "seq")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode e = Json.object();
                    e.put("kind", "event");
                    e.put("type", rs.getString(1));
                    e.put("at", rs.getString(2));
                    e.put("receivedAt", rs.getString(3));
                    e.set("data", Json.parse(rs.getString(4).getBytes(java.nio.charset.StandardCharsets.UTF_8)).get("data"));
                    out.add(e);
                }
            }
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "SELECT at, actor, action, target FROM audit WHERE target = ? OR target LIKE ? ORDER BY id")) {
            ps.setString(1, "incident=" + incident.id());
            ps.setString(2, "incident=" + incident.id() + " %");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode a = Json.object();
                    a.put("kind", "action");
                    a.put("at", rs.getString(1));
                    a.put("actor", rs.getString(2));
                    a.put("action", rs.getString(3));
                    a.put("detail", rs.getString(4));
                    out.add(a);
                }
            }
        }
        out.sort(java.util.Comparator.comparing(n -> n.path("at").asText()));
        return out;
    }

    /** Anonymised counts for governors: per month, room, category and outcome; nothing about a child. */
    public ObjectNode report(Handle c) throws SQLException {
        return report(c, true);
    }

    /**
     * The report as one viewer may see it. Concerns about an adult are counted only in the head's report:
     * in anyone else's, a cell "about-an-adult, year5, November: 1" would name the case
     * ({@link Visibility#reportIncludesHeadOnly}).
     */
    public ObjectNode report(Handle c, boolean includeHeadOnly) throws SQLException {
        return report(c, includeHeadOnly, java.util.Set.of(Visibility.ABOUT_PUPIL));
    }

    /** The report one role may read: its head-only cells and the concerns routed to it ({@link Visibility}). */
    public ObjectNode report(Handle c, Role role) throws SQLException {
        return report(c, Visibility.reportIncludesHeadOnly(role), Visibility.reportCountsAbout(role));
    }

    private ObjectNode report(Handle c, boolean includeHeadOnly, java.util.Set<String> abouts) throws SQLException {
        String about = " coalesce(about, '" + Visibility.ABOUT_PUPIL + "') IN ('" + String.join("', '", new java.util.TreeSet<>(abouts)) + "')";
        ObjectNode out = Json.object();
        var rows = out.putArray("months");
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "SELECT substr(opened_at, 1, 7), room, coalesce(category, 'not-given'), coalesce(outcome, 'open'), count(*),"
                + " avg(CASE WHEN acked_at IS NOT NULL THEN " + Dialect.of(c).minutesBetween("opened_at", "acked_at") + " END)"
                // A failed filter check is counted in the filtering section, not as a pupil's worry.
                + " FROM incidents WHERE source <> '" + IncidentSource.FILTER_CHECK.wire() + "'"
                + " AND" + about
                + (includeHeadOnly ? "" : " AND coalesce(category, '') <> '" + Category.ABOUT_AN_ADULT.wire() + "'")
                + " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ObjectNode r = rows.addObject();
                r.put("month", rs.getString(1));
                r.put("room", rs.getString(2));
                r.put("category", rs.getString(3));
                r.put("outcome", rs.getString(4));
                r.put("count", rs.getLong(5));
                double minutes = rs.getDouble(6);
                if (!rs.wasNull()) {
                    r.put("averageMinutesToAcknowledge", Math.round(minutes * 10) / 10.0);
                }
            }
        }
        out.set("filtering", FilteringReport.months(c));
        out.set("aupReviews", AupReviews.report(c));
        return out;
    }

    /** At most this many incidents in one list: counted after the viewer's filter, never before. */
    public static final int MAX_LISTED = 500;
    /**
     * At most this many unacknowledged incidents of one room in one list (its newest received): a flood from one
     * hub shows as a condition on its room (IngestGuard), not as the whole list. Acknowledging brings the next up.
     */
    public static final int MAX_LISTED_PER_ROOM = 20;

    /** Every incident of the status, as {@link #list(Connection, String, java.util.function.Predicate)} orders them. */
    public List<Incident> list(Handle c, String status) throws SQLException {
        return list(c, status, i -> true);
    }

    /**
     * The incidents one viewer may see, most urgent first: not yet acknowledged (escalated, then open) before the
     * rest, and within each the most recently received (by the coordinator's clock) first; at most
     * {@link #MAX_LISTED_PER_ROOM} unacknowledged ones per room. The viewer's filter runs BEFORE the caps: 5,000 forged reports about an adult from one hub once filled a list capped first and
     * filtered after, so the DSL saw none of the real open worries, nor a new press.
     */
    public List<Incident> list(Handle c, String status, java.util.function.Predicate<Incident> visible) throws SQLException {
        String where = switch (status) {
            case "open" -> "WHERE status IN ('open', 'acknowledged', 'escalated')";
            case "closed" -> "WHERE status = 'closed'";
            case "all" -> "";
            default -> throw new IllegalArgumentException("status must be open, closed or all");
        };
        List<Incident> out = new ArrayList<>();
        java.util.Map<RoomId, Integer> waitingPerRoom = new java.util.HashMap<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + Incident.COLUMNS + " FROM incidents " + where
                + " ORDER BY CASE status WHEN 'escalated' THEN 0 WHEN 'open' THEN 1 ELSE 2 END,"
                + " coalesce(received_at, opened_at) DESC, id DESC");
             ResultSet rs = ps.executeQuery()) {
            while (out.size() < MAX_LISTED && rs.next()) {
                Incident incident = Incident.from(rs);
                boolean waiting = incident.status().equals("open") || incident.status().equals("escalated");
                if (visible.test(incident)
                        && (!waiting || waitingPerRoom.merge(incident.room(), 1, Integer::sum) <= MAX_LISTED_PER_ROOM)) {
                    out.add(incident);
                }
            }
        }
        return out;
    }

    /**
     * Marks an open incident acknowledged; empty if it was not open (already acknowledged or closed). A failed
     * filter check is never acknowledged, only closed by its action: an acknowledgement sends cmd/ack to the hub,
     * which would put out the room's report-pending light while a pupil's worry may be waiting there.
     */
    public Optional<Incident> acknowledge(Handle c, long id, String staff, Instant at) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE incidents SET status = 'acknowledged', acked_at = ?, acked_by = ? WHERE id = ? AND status IN ('open', 'escalated')"
                + " AND source <> '" + IncidentSource.FILTER_CHECK.wire() + "'")) {
            ps.setString(1, Json.time(at));
            ps.setString(2, staff);
            ps.setLong(3, id);
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
        }
        return find(c, id);
    }

    /** The policy's record of a closed incident: outcome, notes, and for misuse the URL and the nature of the content. */
    public record Closing(String outcome, String notes, String url, String nature) {
    }

    public Optional<Incident> close(Handle c, long id, String staff, Closing closing, Instant at) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE incidents SET status = 'closed', closed_at = ?, closed_by = ?, outcome = ?, notes = ?, url = coalesce(?, url),"
                + " nature = coalesce(?, nature)"
                + " WHERE id = ? AND status <> 'closed'")) {
            ps.setString(1, Json.time(at));
            ps.setString(2, staff);
            ps.setString(3, closing.outcome());
            ps.setString(4, closing.notes());
            ps.setString(5, closing.url());
            ps.setString(6, closing.nature());
            ps.setLong(7, id);
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
        }
        return find(c, id);
    }

    /** What the dashboard's incident list asks for; an empty field does not filter. */
    public record Search(String status, String room, String category, String source, String text, int limit) {
        public Search {
            if (!java.util.Set.of("open", "closed", "all").contains(status)) {
                throw new IllegalArgumentException("status must be open, closed or all");
            }
            if (!source.isEmpty()) {
                IncidentSource.fromWire(source);
            }
            if (text.length() > 200) {
                throw new IllegalArgumentException("q must be at most 200 characters");
            }
        }
    }

    /**
     * Past and present incidents, newest first, by status, room (the room id), category, source and a text
     * matched against the report id, computer, outcome, notes, URL and nature. Who may see which row is the
     * caller's business ({@link Visibility}).
     */
    public List<Incident> search(Handle c, Search s) throws SQLException {
        StringBuilder where = new StringBuilder(switch (s.status()) {
            case "open" -> " WHERE status IN ('open', 'acknowledged', 'escalated')";
            case "closed" -> " WHERE status = 'closed'";
            default -> " WHERE 1 = 1";
        });
        List<String> args = new ArrayList<>();
        if (!s.room().isEmpty()) {
            where.append(" AND room = ?");
            args.add(s.room());
        }
        if (!s.category().isEmpty()) {
            where.append(" AND category = ?");
            args.add(s.category());
        }
        if (!s.source().isEmpty()) {
            where.append(" AND source = ?");
            args.add(s.source());
        }
        if (!s.text().isBlank()) {
            // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
            where.append(" AND lower(coalesce(report_id, '') || ' ' || coalesce(computer, '') || ' ' || coalesce(outcome, '')"
                    + " || ' ' || coalesce(notes, '') || ' ' || coalesce(url, '') || ' ' || coalesce(nature, '')) LIKE ?");
            args.add("%" + s.text().strip().toLowerCase(java.util.Locale.ROOT).replace("%", "").replace("_", "") + "%");
        }
        List<Incident> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + Incident.COLUMNS + " FROM incidents" + where
                + " ORDER BY opened_at DESC, id DESC LIMIT " + Math.max(1, Math.min(s.limit(), 500)))) {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Incident.from(rs));
                }
            }
        }
        return out;
    }

    /**
     * Records once that the pupil came forward to this member of staff (they gave their follow-up words);
     * empty if it was already recorded or there is no such incident.
     */
    public Optional<Incident> cameForward(Handle c, long id, String staff, Instant at) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE incidents SET came_forward_at = ?, came_forward_by = ? WHERE id = ? AND came_forward_at IS NULL")) {
            ps.setString(1, Json.time(at));
            ps.setString(2, staff);
            ps.setLong(3, id);
            if (ps.executeUpdate() == 0) {
                return Optional.empty();
            }
        }
        return find(c, id);
    }
}
