package haven.coordinator;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterable;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Event;
import haven.protocol.Category;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Dialect;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The incident log's SQL: one incident per worry report, updated by follow-up events and staff. Owns the
 * {@code incidents} and {@code case_numbers} tables (alert_failures is the notifier's, read in {@link Incident#COLUMNS}).
 */
public final class Incidents {
    /** %s: the dialect's greatest(incidents.presses, excluded.presses). Returns the incident as it now is. */
    private static final String OPEN_REPORT = """
            INSERT INTO incidents(report_id, site, room, status, presses, category, computer, opened_at, received_at)
            VALUES (:reportId, :site, :room, :status, :presses, :category, :computer, :openedAt, :receivedAt)
            ON CONFLICT(report_id) DO UPDATE SET presses = %s,
                category = coalesce(incidents.category, excluded.category),
                computer = coalesce(incidents.computer, excluded.computer)
            RETURNING\s""" + Incident.COLUMNS;
    /** %s: the dialect's greatest(presses, :presses). */
    private static final String MORE_PRESSES = "UPDATE incidents SET presses = %s WHERE report_id = :reportId";
    /** Formatted once per dialect: every worry runs one of them (issue 20). */
    private static final java.util.Map<Dialect, String> OPEN_REPORT_SQL =
            Dialect.each(d -> OPEN_REPORT.formatted(d.greatest("incidents.presses", "excluded.presses")));
    private static final java.util.Map<Dialect, String> MORE_PRESSES_SQL = Dialect.each(d -> MORE_PRESSES.formatted(d.greatest("presses", ":presses")));
    private static final String DETAIL = """
            UPDATE incidents SET category = coalesce(:category, category), computer = coalesce(:computer, computer)
            WHERE report_id = :reportId""";
    private static final String OPEN_FAILED_CHECK = """
            INSERT INTO incidents(report_id, site, room, status, presses, opened_at, source)
            VALUES (:reportId, :site, :room, :status, 0, :openedAt, :source) ON CONFLICT(report_id) DO NOTHING""";
    private static final String OPEN_FROM_FOLLOW_UP = """
            INSERT INTO incidents(report_id, site, room, status, presses, opened_at, received_at)
            VALUES (:reportId, :site, :room, :status, 1, :openedAt, :receivedAt) ON CONFLICT(report_id) DO NOTHING""";
    /** Takes the year's next number and returns it, in one statement. */
    private static final String NEXT_CASE_NUMBER = """
            INSERT INTO case_numbers(year, last) VALUES (:year, 1)
            ON CONFLICT(year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last""";
    private static final String GIVE_CASE_NUMBER = "UPDATE incidents SET case_number = :caseNumber WHERE id = :id AND case_number IS NULL";
    /**
     * What the ingest guard asks of a report, as one statement (issue 20): the room of the incident with this report
     * id, if any, and how many worries the event's room has that nobody has acknowledged (open or escalated).
     */
    private static final String STANDING = """
            SELECT o.site, o.room, (SELECT count(*) FROM incidents w WHERE w.site = :site AND w.room = :room
                AND w.status IN (:open, :escalated) AND w.source = :source)
            FROM (SELECT 1 AS one) AS just_one LEFT JOIN incidents o ON o.report_id = :reportId""";
    private static final String BY_REPORT = "SELECT " + Incident.COLUMNS + " FROM incidents WHERE report_id = :reportId";
    private static final String BY_ID = "SELECT " + Incident.COLUMNS + " FROM incidents WHERE id = :id";
    /** %s: the dialect's text of payload.data.report. */
    private static final String REPORT_EVENTS = """
            SELECT %s FROM events WHERE id = :reportId
            OR (site = :site AND room = :room AND %s = :reportId) ORDER BY %s""";
    private static final String REPORT_AUDIT =
            "SELECT at, actor, action, target FROM audit WHERE target = :target OR target LIKE :targetPrefix ORDER BY id";
    /**
     * Months and response times go by the coordinator's receive time, not the hub's clock (a Pi without a
     * real-time clock can be hours out until it syncs; docs/FILTERING.md "Hub health").
     * %1$s: minutes from receipt to acked_at in the dialect; %2$s: the head-only filter or nothing; %3$s: the
     * named parameters of the abouts the viewer may count. A failed filter check is counted in the filtering section, not as a pupil's worry.
     */
    private static final String REPORT = """
            SELECT substr(coalesce(received_at, opened_at), 1, 7) AS month, room, coalesce(category, 'not-given') AS category,
                coalesce(outcome, 'open') AS outcome, count(*) AS n,
                avg(CASE WHEN acked_at IS NOT NULL THEN %1$s END) AS minutes
            FROM incidents WHERE source <> :filterCheck AND coalesce(about, :aboutPupil) IN (%3$s) %2$s
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""";
    private static final String NOT_ABOUT_AN_ADULT = "AND coalesce(category, '') <> :aboutAnAdult";
    /** %s: the status filter (WHERE ... or nothing). */
    private static final String LIST = "SELECT " + Incident.COLUMNS + " FROM incidents %s"
            + " ORDER BY CASE status WHEN :escalated THEN 0 WHEN :open THEN 1 ELSE 2 END,"
            + " coalesce(received_at, opened_at) DESC, id DESC";
    private static final String WHERE_OPEN = "WHERE status IN (:open, :acknowledged, :escalated)";
    private static final String WHERE_CLOSED = "WHERE status = :closed";
    private static final String ACKNOWLEDGE = """
            UPDATE incidents SET status = :acknowledged, acked_at = :at, acked_by = :staff
            WHERE id = :id AND status IN (:open, :escalated) AND source <> :filterCheck""";
    private static final String CLOSE = """
            UPDATE incidents SET status = :closed, closed_at = :at, closed_by = :staff, outcome = :outcome, notes = :notes,
                url = coalesce(:url, url), nature = coalesce(:nature, nature)
            WHERE id = :id AND status <> :closed""";
    /** %1$s: the filters (WHERE ...); %2$d: the limit. */
    private static final String SEARCH = "SELECT " + Incident.COLUMNS + " FROM incidents %1$s ORDER BY coalesce(received_at, opened_at) DESC, id DESC LIMIT %2$d";
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
    private static final String SEARCH_TEXT = " AND lower(coalesce(report_id, '') || ' ' || coalesce(computer, '')"
            + " || ' ' || coalesce(outcome, '') || ' ' || coalesce(notes, '') || ' ' || coalesce(url, '')"
            + " || ' ' || coalesce(nature, '')) LIKE :text";
    private static final String WAITING = """
            SELECT id, coalesce(received_at, opened_at) AS since FROM incidents WHERE status = :open AND source <> :filterCheck""";
    private static final String ESCALATE =
            "UPDATE incidents SET status = :escalated, escalated_at = :at WHERE id = :id AND status = :open";
    private static final String FLAG_OPEN_AT_END_OF_DAY = """
            UPDATE incidents SET open_at_end_of_day = :today
            WHERE status <> :closed AND (open_at_end_of_day IS NULL OR open_at_end_of_day <> :today) RETURNING id""";
    private static final String CAME_FORWARD = """
            UPDATE incidents SET came_forward_at = :at, came_forward_by = :staff WHERE id = :id AND came_forward_at IS NULL""";
    private static final String OPEN_CONCERN = """
            INSERT INTO incidents(report_id, site, room, status, presses, category, opened_at, url, nature, source,
                about, illegal, logged_by, summary)
            VALUES (:reportId, :site, :room, :status, 0, :category, :openedAt, :url, :nature, :source,
                :about, :illegal, :loggedBy, :summary) ON CONFLICT(report_id) DO NOTHING""";
    private static final String OPEN_FROM_ISOLATION = """
            INSERT INTO incidents(report_id, site, room, status, presses, opened_at, source, summary)
            VALUES (:reportId, :site, :room, :status, 0, :openedAt, :source, :summary) ON CONFLICT(report_id) DO NOTHING""";
    /** Isolation cases first, then the newest: an isolation joins the case another isolation opened. */
    private static final String ROOM_CASE = """
            SELECT id FROM incidents WHERE site = :site AND room = :room AND status <> :closed
                AND coalesce(about, :aboutPupil) = :aboutPupil
            ORDER BY CASE source WHEN :isolation THEN 0 ELSE 1 END, opened_at DESC, id DESC LIMIT 1""";
    private static final String ASSIGN = "UPDATE incidents SET assigned_to = :to WHERE id = :id";
    private static final String SET_ILLEGAL = "UPDATE incidents SET illegal = :illegal WHERE id = :id";
    private static final String REOPEN = """
            UPDATE incidents SET closed_at = NULL, closed_by = NULL, outcome = NULL,
                status = CASE WHEN acked_at IS NOT NULL THEN :acknowledged WHEN escalated_at IS NOT NULL THEN :escalated ELSE :open END
            WHERE report_id = :reportId AND status = :closed""";

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
                Incident opened = c.createQuery(OPEN_REPORT_SQL.get(dialect))
                        .bind("reportId", event.id())
                        .bind("site", event.room().site())
                        .bind("room", event.room().room())
                        .bind("status", IncidentStatus.OPEN)
                        .bind("presses", event.data().path("presses").asLong(1))
                        .bind("category", text(event, "category"))
                        .bind("computer", text(event, "computer"))
                        .bind("openedAt", event.at())
                        .bind("receivedAt", receivedAt)
                        .map(Incident::from)
                        .one();
                return numbered(c, Optional.of(opened));
            }
            case WORRY_REPEATED -> {
                String report = event.data().path("report").asText();
                ensureOpened(c, event, report, receivedAt);
                c.createUpdate(MORE_PRESSES_SQL.get(dialect))
                        .bind("presses", event.data().path("presses").asLong())
                        .bind("reportId", report)
                        .execute();
                return numbered(c, find(c, report));
            }
            case WORRY_DETAILED -> {
                String report = event.data().path("report").asText();
                ensureOpened(c, event, report, receivedAt);
                c.createUpdate(DETAIL)
                        .bind("category", text(event, "category"))
                        .bind("computer", text(event, "computer"))
                        .bind("reportId", report)
                        .execute();
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

    /** Where a report stands before an event about it is logged: its incident's room, if any, and the event room's waiting count. */
    public record Standing(Optional<RoomId> owner, long unacknowledged) {
    }

    /** {@link Standing} of {@code reportId}, counting the unacknowledged worries of {@code room}. */
    public Standing standing(Handle c, String reportId, RoomId room) throws SQLException {
        return c.createQuery(STANDING)
                .bind("reportId", reportId)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("open", IncidentStatus.OPEN)
                .bind("escalated", IncidentStatus.ESCALATED)
                .bind("source", IncidentSource.WORRY)
                .map((rs, ctx) -> new Standing(rs.getString(1) == null ? Optional.empty()
                        : Optional.of(new RoomId(rs.getString(1), rs.getString(2))), rs.getLong(3)))
                .one();
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
        c.createUpdate(OPEN_FAILED_CHECK)
                .bind("reportId", event.id())
                .bind("site", event.room().site())
                .bind("room", event.room().room())
                .bind("status", IncidentStatus.OPEN)
                .bind("openedAt", event.at())
                .bind("source", IncidentSource.FILTER_CHECK)
                .execute();
        return numbered(c, find(c, event.id()));
    }

    /**
     * A follow-up can arrive before its report (out-of-order delivery after an outage): open the
     * incident from the follow-up so nothing waits on ordering; the report fills in when it lands.
     */
    private static void ensureOpened(Handle c, Event event, String report, Instant receivedAt) {
        c.createUpdate(OPEN_FROM_FOLLOW_UP)
                .bind("reportId", report)
                .bind("site", event.room().site())
                .bind("room", event.room().room())
                .bind("status", IncidentStatus.OPEN)
                .bind("openedAt", event.at())
                .bind("receivedAt", receivedAt)
                .execute();
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
        String year = fourDigits(incident.get().openedAt().atOffset(java.time.ZoneOffset.UTC).getYear());
        long last = c.createQuery(NEXT_CASE_NUMBER).bind("year", year).mapTo(Long.class).one();
        String number = year + "-" + fourDigits(last);
        // The row just read in this transaction has no number, so the update gives it this one; the incident is that
        // row with the number, not a second read of it (issue 20: the read back was a tenth of ingest's time).
        int given = c.createUpdate(GIVE_CASE_NUMBER).bind("caseNumber", number).bind("id", incident.get().id()).execute();
        return given == 1 ? Optional.of(incident.get().withCaseNumber(number)) : find(c, incident.get().id());
    }

    /** 7 -> "0007", 12345 -> "12345": as {@code %04d}, without the formatter. */
    private static String fourDigits(long n) {
        String digits = Long.toString(n);
        return digits.length() >= 4 || n < 0 ? digits : "0000".substring(digits.length()) + digits;
    }

    private static String text(Event event, String field) {
        return event.data().hasNonNull(field) ? event.data().get(field).asText() : null;
    }

    public Optional<Incident> find(Handle c, String reportId) throws SQLException {
        return c.createQuery(BY_REPORT).bind("reportId", reportId).map(Incident::from).findOne();
    }

    public Optional<Incident> find(Handle c, long id) throws SQLException {
        return c.createQuery(BY_ID).bind("id", id).map(Incident::from).findOne();
    }

    /** One of a report's entries in the log with its place and hashes: the chain proof of an export or a bundle. */
    record ChainEntry(long pos, String id, String type, String payload, String prevHash, String hash) {
    }

    /**
     * The log's events of one report (the press itself and every follow-up naming it in data.report), in log
     * order. Iterated, not listed: a long case's payloads need not all be held at once. The caller closes it.
     */
    static ResultIterable<ChainEntry> reportEvents(Handle c, Incident incident) throws SQLException {
        return c.createQuery(REPORT_EVENTS.formatted("pos, id, type, payload, prev_hash, hash",
                        Dialect.of(c).jsonText("payload", "data", "report"), "pos"))
                .bind("reportId", incident.reportId())
                .bind("site", incident.room().site())
                .bind("room", incident.room().room())
                .map((rs, ctx) -> new ChainEntry(rs.getLong("pos"), rs.getString("id"), rs.getString("type"),
                        rs.getString("payload"), rs.getString("prev_hash"), rs.getString("hash")));
    }

    /** Every logged event of one report (the press, more presses, detail) and every staff action on it, by time. */
    public List<ObjectNode> chronology(Handle c, Incident incident) throws SQLException {
        List<ObjectNode> out = new ArrayList<>(c.createQuery(REPORT_EVENTS.formatted("type, at, received_at, payload",
                        Dialect.of(c).jsonText("payload", "data", "report"), "seq"))
                .bind("reportId", incident.reportId())
                .bind("site", incident.room().site())
                .bind("room", incident.room().room())
                .map((rs, ctx) -> {
                    ObjectNode e = Json.object();
                    e.put("kind", "event");
                    e.put("type", rs.getString("type"));
                    e.put("at", rs.getString("at"));
                    e.put("receivedAt", rs.getString("received_at"));
                    e.set("data", Json.parse(rs.getString("payload").getBytes(java.nio.charset.StandardCharsets.UTF_8)).get("data"));
                    return e;
                })
                .list());
        out.addAll(c.createQuery(REPORT_AUDIT)
                .bind("target", "incident=" + incident.id())
                .bind("targetPrefix", "incident=" + incident.id() + " %")
                .map((rs, ctx) -> {
                    ObjectNode a = Json.object();
                    a.put("kind", "action");
                    a.put("at", rs.getString("at"));
                    a.put("actor", rs.getString("actor"));
                    a.put("action", rs.getString("action"));
                    a.put("detail", rs.getString("target"));
                    return a;
                })
                .list());
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
        return report(c, includeHeadOnly, java.util.Set.of(ConcernAbout.PUPIL));
    }

    /** The report one role may read: its head-only cells and the concerns routed to it ({@link Visibility}). */
    public ObjectNode report(Handle c, Role role) throws SQLException {
        return report(c, Visibility.reportIncludesHeadOnly(role), Visibility.reportCountsAbout(role));
    }

    private ObjectNode report(Handle c, boolean includeHeadOnly, java.util.Set<ConcernAbout> abouts) throws SQLException {
        List<ConcernAbout> aboutList = List.copyOf(new java.util.TreeSet<>(abouts));
        StringBuilder aboutParams = new StringBuilder();
        for (int i = 0; i < aboutList.size(); i++) {
            aboutParams.append(i == 0 ? "" : ", ").append(":about").append(i);
        }
        var query = c.createQuery(REPORT.formatted(Dialect.of(c).minutesBetween("coalesce(received_at, opened_at)", "acked_at"),
                        includeHeadOnly ? "" : NOT_ABOUT_AN_ADULT, aboutParams))
                .bind("filterCheck", IncidentSource.FILTER_CHECK)
                .bind("aboutPupil", ConcernAbout.PUPIL);
        for (int i = 0; i < aboutList.size(); i++) {
            query.bind("about" + i, aboutList.get(i));
        }
        if (!includeHeadOnly) {
            query.bind("aboutAnAdult", Category.ABOUT_AN_ADULT.wire());
        }
        ObjectNode out = Json.object();
        var rows = out.putArray("months");
        query.map((rs, ctx) -> {
            ObjectNode r = Json.object();
            r.put("month", rs.getString("month"));
            r.put("room", rs.getString("room"));
            r.put("category", rs.getString("category"));
            r.put("outcome", rs.getString("outcome"));
            r.put("count", rs.getLong("n"));
            double minutes = rs.getDouble("minutes");
            if (!rs.wasNull()) {
                r.put("averageMinutesToAcknowledge", Math.round(minutes * 10) / 10.0);
            }
            return r;
        }).forEach(rows::add);
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

    /** Every incident of the status, as {@link #list(Handle, String, java.util.function.Predicate)} orders them. */
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
            case "open" -> WHERE_OPEN;
            case "closed" -> WHERE_CLOSED;
            case "all" -> "";
            default -> throw new IllegalArgumentException("status must be open, closed or all");
        };
        List<Incident> out = new ArrayList<>();
        java.util.Map<RoomId, Integer> waitingPerRoom = new java.util.HashMap<>();
        var query = c.createQuery(LIST.formatted(where))
                .bind("escalated", IncidentStatus.ESCALATED)
                .bind("open", IncidentStatus.OPEN);
        if (status.equals("open")) {
            query.bind("acknowledged", IncidentStatus.ACKNOWLEDGED);
        } else if (status.equals("closed")) {
            query.bind("closed", IncidentStatus.CLOSED);
        }
        // Read row by row: the caps stop the read, so a flood of rows is never all mapped.
        try (var rows = query.map(Incident::from).iterator()) {
            while (out.size() < MAX_LISTED && rows.hasNext()) {
                Incident incident = rows.next();
                boolean waiting = incident.waiting();
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
        int changed = c.createUpdate(ACKNOWLEDGE)
                .bind("acknowledged", IncidentStatus.ACKNOWLEDGED)
                .bind("at", at)
                .bind("staff", staff)
                .bind("id", id)
                .bind("open", IncidentStatus.OPEN)
                .bind("escalated", IncidentStatus.ESCALATED)
                .bind("filterCheck", IncidentSource.FILTER_CHECK)
                .execute();
        return changed == 0 ? Optional.empty() : find(c, id);
    }

    /** The policy's record of a closed incident: outcome, notes, and for misuse the URL and the nature of the content. */
    public record Closing(CloseOutcome outcome, String notes, String url, String nature) {
    }

    public Optional<Incident> close(Handle c, long id, String staff, Closing closing, Instant at) throws SQLException {
        int changed = c.createUpdate(CLOSE)
                .bind("closed", IncidentStatus.CLOSED)
                .bind("at", at)
                .bind("staff", staff)
                .bind("outcome", closing.outcome())
                .bind("notes", closing.notes())
                .bind("url", closing.url())
                .bind("nature", closing.nature())
                .bind("id", id)
                .execute();
        return changed == 0 ? Optional.empty() : find(c, id);
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
            case "open" -> WHERE_OPEN;
            case "closed" -> WHERE_CLOSED;
            default -> "WHERE 1 = 1";
        });
        java.util.Map<String, Object> args = new java.util.LinkedHashMap<>();
        if (s.status().equals("open")) {
            args.put("open", IncidentStatus.OPEN);
            args.put("acknowledged", IncidentStatus.ACKNOWLEDGED);
            args.put("escalated", IncidentStatus.ESCALATED);
        } else if (s.status().equals("closed")) {
            args.put("closed", IncidentStatus.CLOSED);
        }
        if (!s.room().isEmpty()) {
            where.append(" AND room = :room");
            args.put("room", s.room());
        }
        if (!s.category().isEmpty()) {
            where.append(" AND category = :category");
            args.put("category", s.category());
        }
        if (!s.source().isEmpty()) {
            where.append(" AND source = :source");
            args.put("source", IncidentSource.fromWire(s.source()));
        }
        if (!s.text().isBlank()) {
            where.append(SEARCH_TEXT);
            args.put("text", "%" + s.text().strip().toLowerCase(java.util.Locale.ROOT).replace("%", "").replace("_", "") + "%");
        }
        var query = c.createQuery(SEARCH.formatted(where, Math.max(1, Math.min(s.limit(), 500))));
        args.forEach(query::bind);
        return query.map(Incident::from).list();
    }

    /**
     * Records once that the pupil came forward to this member of staff (they gave their follow-up words);
     * empty if it was already recorded or there is no such incident.
     */
    public Optional<Incident> cameForward(Handle c, long id, String staff, Instant at) throws SQLException {
        int changed = c.createUpdate(CAME_FORWARD)
                .bind("at", at)
                .bind("staff", staff)
                .bind("id", id)
                .execute();
        return changed == 0 ? Optional.empty() : find(c, id);
    }

    /**
     * Open worries the coordinator received at or before {@code due} ({@link Escalation}). Instants are compared,
     * not the hub's text: a hub clock in 2099 once kept a worry from ever escalating. A failed filter check is the
     * technician's, closed by its recorded action: it never escalates as a worry.
     */
    List<Long> waitingSince(Handle c, Instant due) {
        List<Long> out = new ArrayList<>();
        c.createQuery(WAITING)
                .bind("open", IncidentStatus.OPEN)
                .bind("filterCheck", IncidentSource.FILTER_CHECK)
                .map((rs, ctx) -> java.util.Map.entry(rs.getLong("id"),
                        ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "since", ctx)))
                .forEach(row -> {
                    if (!row.getValue().isAfter(due)) {
                        out.add(row.getKey());
                    }
                });
        return out;
    }

    /** Escalates an incident still open; false if someone acknowledged or closed it first. */
    boolean escalate(Handle c, long id, Instant at) {
        return c.createUpdate(ESCALATE)
                .bind("escalated", IncidentStatus.ESCALATED)
                .bind("at", at)
                .bind("id", id)
                .bind("open", IncidentStatus.OPEN)
                .execute() == 1;
    }

    /** Flags every incident not closed as open at the end of {@code today} (once a day); returns the ids flagged. */
    List<Long> flagOpenAtEndOfDay(Handle c, String today) {
        return c.createQuery(FLAG_OPEN_AT_END_OF_DAY)
                .bind("today", today)
                .bind("closed", IncidentStatus.CLOSED)
                .mapTo(Long.class)
                .list();
    }

    /** A concern a member of staff logged (source concern), opened once under its report id ({@link Cases}). */
    void openConcern(Handle c, String reportId, Cases.Concern concern, String by, Instant at) {
        c.createUpdate(OPEN_CONCERN)
                .bind("reportId", reportId)
                .bind("site", concern.room().site())
                .bind("room", concern.room().room())
                .bind("status", IncidentStatus.OPEN)
                .bind("category", concern.category())
                .bind("openedAt", at)
                .bind("url", concern.url())
                .bind("nature", concern.nature())
                .bind("source", IncidentSource.CONCERN)
                .bind("about", concern.about())
                .bind("illegal", concern.illegal())
                .bind("loggedBy", by)
                .bind("summary", concern.summary())
                .execute();
    }

    /** A case opened by an isolation (source isolation), once under the report id of what opened it ({@link CaseIsolations}). */
    void openFromIsolation(Handle c, String reportId, RoomId room, Instant at, String reason) {
        c.createUpdate(OPEN_FROM_ISOLATION)
                .bind("reportId", reportId)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("status", IncidentStatus.OPEN)
                .bind("openedAt", at)
                .bind("source", IncidentSource.ISOLATION)
                .bind("summary", reason)
                .execute();
    }

    /** The room's case an isolation joins: not closed and about a pupil (never one routed to the head or the chair). */
    Optional<Incident> roomCase(Handle c, RoomId room) throws SQLException {
        Optional<Long> id = c.createQuery(ROOM_CASE)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("closed", IncidentStatus.CLOSED)
                .bind("aboutPupil", ConcernAbout.PUPIL)
                .bind("isolation", IncidentSource.ISOLATION)
                .mapTo(Long.class)
                .findOne();
        return id.isEmpty() ? Optional.empty() : find(c, id.get());
    }

    void assign(Handle c, long id, String to) {
        c.createUpdate(ASSIGN).bind("to", to).bind("id", id).execute();
    }

    void setIllegal(Handle c, long id, IllegalContent illegal) {
        c.createUpdate(SET_ILLEGAL).bind("illegal", illegal).bind("id", id).execute();
    }

    /**
     * A closed case open again: the closure's columns cleared and the status it had before closing (live and
     * in a replay of coordinator.reopened); false when it was not closed.
     */
    static boolean reopen(Handle c, String reportId) {
        return c.createUpdate(REOPEN)
                .bind("acknowledged", IncidentStatus.ACKNOWLEDGED)
                .bind("escalated", IncidentStatus.ESCALATED)
                .bind("open", IncidentStatus.OPEN)
                .bind("closed", IncidentStatus.CLOSED)
                .bind("reportId", reportId)
                .execute() == 1;
    }
}
