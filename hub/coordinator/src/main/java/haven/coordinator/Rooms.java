package haven.coordinator;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;
import haven.protocol.Event;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Dialect;
import haven.store.SqlTypes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rooms table: presence from the retained status / Last Will, and per-hub sequence gaps. Owns {@code rooms}. */
public final class Rooms {
    private static final String PRESENCE = """
            INSERT INTO rooms(site, room, online, since, version, aup_key_stage, aup_version, condition)
            VALUES (:site, :room, :online, :since, :version, :aupKeyStage, :aupVersion, :condition)
            ON CONFLICT(site, room) DO UPDATE SET
                since = CASE WHEN rooms.online = excluded.online THEN rooms.since ELSE excluded.since END,
                online = excluded.online,
                version = coalesce(nullif(excluded.version, ''), rooms.version),
                aup_key_stage = coalesce(nullif(excluded.aup_key_stage, ''), rooms.aup_key_stage),
                aup_version = coalesce(nullif(excluded.aup_version, ''), rooms.aup_version),
                condition = excluded.condition""";
    /** %s: the dialect's greatest(expected_seq, :lastSeq). */
    private static final String EXPECTED_SEQ = "UPDATE rooms SET expected_seq = %s WHERE site = :site AND room = :room";
    /**
     * One event logged, as one statement (issue 20): a room first heard of through an event is online until its status
     * says otherwise; a seq seen for the first time (an index look-up on the log's (site, room, seq): 1 means the event
     * just logged is the first with its seq) adds one to the room's counter; the highest seq rises. Returns how many
     * events below the highest known seq are missing, as {@link #MISSING} counts them.
     * %1$s: the dialect's greatest(rooms.last_seq, excluded.last_seq); %2$s: {@link #highestSeq} of the row.
     */
    private static final String LOGGED = """
            INSERT INTO rooms(site, room, online, since, last_seq, logged_seqs)
            VALUES (:site, :room, 1, :since, :seq, CASE WHEN :seq > 0
                AND (SELECT count(*) FROM events WHERE site = :site AND room = :room AND seq = :seq) = 1 THEN 1 ELSE 0 END)
            ON CONFLICT(site, room) DO UPDATE SET last_seq = %1$s, logged_seqs = rooms.logged_seqs + excluded.logged_seqs
            RETURNING\s""" + RoomView.COLUMNS + """
            , %2$s - rooms.logged_seqs AS missing,
                repair_asks = 0 AND repair_gave_up IS NULL AND repair_missing = 0 AND gap_warning IS NULL AS no_gap_state""";
    /** %s: the dialect's greatest(last_seq, expected_seq). */
    private static final String HIGHEST_KNOWN = "SELECT %s, flood_last FROM rooms WHERE site = :site AND room = :room";
    /**
     * One more report over the limits, as one statement: the room (heard of now if not before, online until its status
     * says otherwise) counts it, and its condition names the count so far between :before and :after.
     */
    private static final String FLOODED = """
            INSERT INTO rooms(site, room, online, since, flood_refused, flood_last, flood)
            VALUES (:site, :room, 1, :at, 1, :at, :before || '1' || :after)
            ON CONFLICT(site, room) DO UPDATE SET flood_refused = rooms.flood_refused + 1, flood_last = excluded.flood_last,
                flood = :before || CAST(rooms.flood_refused + 1 AS TEXT) || :after""";
    private static final String FLOOD_OVER = """
            UPDATE rooms SET flood = NULL, flood_refused = 0
            WHERE site = :site AND room = :room AND flood_last IS NOT NULL AND flood_last < :quietSince""";
    /**
     * The highest seq logged for the room row %1$s (its table's name or alias); seq 0 is the coordinator's own records on
     * its timeline, not a hub's.
     */
    private static final String HIGHEST_LOGGED =
            "coalesce((SELECT max(seq) FROM events e WHERE e.site = %1$s.site AND e.room = %1$s.room), 0)";
    /** The two statements every ingested event runs, formatted once per dialect. */
    private static final java.util.Map<Dialect, String> LOGGED_SQL =
            Dialect.each(d -> LOGGED.formatted(d.greatest("rooms.last_seq", "excluded.last_seq"), highestSeq(d, "rooms")));
    private static final java.util.Map<Dialect, String> HIGHEST_KNOWN_SQL =
            Dialect.each(d -> HIGHEST_KNOWN.formatted(d.greatest("last_seq", "expected_seq")));
    /** %s: {@link #highestSeq}. */
    private static final String MISSING = "SELECT %s - r.logged_seqs FROM rooms r WHERE r.site = :site AND r.room = :room";
    /** %s: {@link #highestSeq}. */
    private static final String EXPECTED = "SELECT %s FROM rooms r WHERE r.site = :site AND r.room = :room";
    /**
     * The room's gap warning for :missing events, and the room as it now is. The gap shrank: the hub is answering, so
     * repair starts counting afresh. Every SET reads the row as it was, so the warning says :gaveUp only when Haven had
     * stopped asking and the gap did not shrink (a shrunk gap clears repair_gave_up in the same statement).
     */
    private static final String GAP = """
            UPDATE rooms SET
                repair_asks = CASE WHEN :missing = 0 OR :missing < repair_missing THEN 0 ELSE repair_asks END,
                repair_gave_up = CASE WHEN :missing = 0 OR :missing < repair_missing THEN NULL ELSE repair_gave_up END,
                repair_missing = CASE WHEN :missing = 0 THEN 0 WHEN :missing < repair_missing THEN :missing ELSE repair_missing END,
                gap_warning = CASE WHEN :missing = 0 THEN NULL
                    WHEN :missing < repair_missing OR repair_gave_up IS NULL THEN :asking ELSE :gaveUp END
            WHERE site = :site AND room = :room
            RETURNING\s""" + RoomView.COLUMNS;
    private static final String REPAIR = "SELECT repair_asks, repair_gave_up FROM rooms WHERE site = :site AND room = :room";
    private static final String ASKED = """
            UPDATE rooms SET repair_asks = :asks, repair_missing = :missing, repair_gave_up = :gaveUp
            WHERE site = :site AND room = :room""";
    private static final String LOGGED_SEQS = "SELECT DISTINCT seq FROM events WHERE site = :site AND room = :room ORDER BY seq";
    private static final String WITH_GAPS =
            "SELECT site, room FROM rooms WHERE gap_warning IS NOT NULL AND online = 1 AND repair_gave_up IS NULL";
    private static final String FIND = "SELECT " + RoomView.COLUMNS + " FROM rooms WHERE site = :site AND room = :room";
    private static final String LIST = "SELECT " + RoomView.COLUMNS + " FROM rooms ORDER BY site, room";
    /** The latest review wins, even if delivered late. */
    private static final String AUP_REVIEWED = """
            UPDATE rooms SET aup_reviewed_at = :at
            WHERE site = :site AND room = :room AND (aup_reviewed_at IS NULL OR aup_reviewed_at < :at)""";

    /** How often this room's gap has been asked about, and whether Haven has stopped asking. */
    private record Repair(int asks, boolean gaveUp) {
    }

    /** The highest seq known for a room: the most recent logged, or what the hub's status says it has. */
    private static String highestSeq(Handle c) throws SQLException {
        return highestSeq(c, "r");
    }

    /** The same of the room row {@code row}: the alias {@code r}, or {@code rooms} where a statement cannot alias it. */
    private static String highestSeq(Handle c, String row) throws SQLException {
        return highestSeq(Dialect.of(c), row);
    }

    private static String highestSeq(Dialect dialect, String row) {
        return dialect.greatest(HIGHEST_LOGGED.formatted(row), row + ".expected_seq");
    }

    public Optional<RoomView> presence(Handle c, RoomId room, HubStatus status, Instant receivedAt) throws SQLException {
        c.createUpdate(PRESENCE)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("online", status.online() ? 1 : 0)
                .bind("since", receivedAt)
                .bind("version", status.version())
                .bind("aupKeyStage", status.aupKeyStage())
                .bind("aupVersion", status.aupVersion())
                .bind("condition", status.condition())
                .execute();
        c.createUpdate(EXPECTED_SEQ.formatted(Dialect.of(c).greatest("expected_seq", ":lastSeq")))
                .bind("lastSeq", status.lastSeq())
                .bind("site", room.site())
                .bind("room", room.room())
                .execute();
        return recomputeGap(c, room);
    }

    /**
     * Records that an event of this hub was logged and recomputes its gap warning: seq starts at 1 and
     * rises by one, so fewer distinct seqs than the highest one means events are missing (possibly lost,
     * possibly still on their way from the hub's outbox).
     */
    public Optional<RoomView> eventLogged(Handle c, Event event, Instant receivedAt) throws SQLException {
        RoomId room = event.room();
        Logged logged = c.createQuery(LOGGED_SQL.get(Dialect.of(c)))
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("since", receivedAt)
                .bind("seq", event.seq())
                // By name: the room's columns come first, and their count is RoomView's to change.
                .map((rs, ctx) -> new Logged(RoomView.from(rs), Math.max(0, rs.getLong("missing")), rs.getBoolean("no_gap_state")))
                .one();
        // Nothing missing and nothing left of an earlier gap: the gap update would change nothing, so the room as the
        // upsert returned it is the room (the usual case: one statement per event for the room, not two; issue 20).
        return logged.missing() == 0 && logged.noGapState() ? Optional.of(logged.room()) : gap(c, room, logged.missing());
    }

    /** The room after an event was counted, how many of its events are missing, and whether it holds no gap state. */
    private record Logged(RoomView room, long missing, boolean noGapState) {
    }

    /** What the ingest guard reads of a room: the highest seq known (0 for a room never heard of) and its last flood. */
    public record Standing(long highestKnown, Instant floodLast) {
    }

    public Standing standing(Handle c, RoomId room) throws SQLException {
        return c.createQuery(HIGHEST_KNOWN_SQL.get(Dialect.of(c)))
                .bind("site", room.site())
                .bind("room", room.room())
                .map((rs, ctx) -> new Standing(rs.getLong(1), SqlTypes.instant(rs, 2)))
                .findOne()
                .orElse(new Standing(0, null));
    }

    /** The highest seq this hub has logged or said it has (0 for a room never heard of): what a seq jump is measured from. */
    public long highestKnown(Handle c, RoomId room) throws SQLException {
        return standing(c, room).highestKnown();
    }

    /** The hub of this room is over an ingest limit (IngestGuard): one condition on the room, however many reports. */
    public void flooded(Handle c, RoomId room, String reason, Instant at) throws SQLException {
        c.createUpdate(FLOODED)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("at", at)
                .bind("before", "flood: " + reason + " (")
                .bind("after", " report(s) over the limits, last " + Json.time(at) + ")")
                .execute();
    }

    /**
     * A new report of this room within the limits: the flood condition ends once ten quiet minutes have passed.
     * {@code standing} is the room as the guard read it in this transaction: a room whose last flood is not ten minutes
     * past has nothing to end, and is not written (FLOOD_OVER's own condition, checked on the row already read).
     */
    public void floodOver(Handle c, RoomId room, Standing standing, Instant now) throws SQLException {
        Instant quietSince = now.minus(Duration.ofMinutes(10));
        if (standing.floodLast() == null || !standing.floodLast().isBefore(quietSince)) {
            return;
        }
        c.createUpdate(FLOOD_OVER)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("quietSince", quietSince)
                .execute();
    }

    /** How many of a hub's events below the highest known seq are not in the log. */
    public long missing(Handle c, RoomId room) throws SQLException {
        return c.createQuery(MISSING.formatted(highestSeq(c)))
                .bind("site", room.site())
                .bind("room", room.room())
                .mapTo(long.class)
                .findOne()
                .map(m -> Math.max(0, m))
                .orElse(0L);
    }

    private Optional<RoomView> recomputeGap(Handle c, RoomId room) throws SQLException {
        return gap(c, room, missing(c, room));
    }

    private static Optional<RoomView> gap(Handle c, RoomId room, long missing) {
        return c.createQuery(GAP)
                .bind("missing", missing)
                .bind("asking", missing + " event(s) not yet received (possible loss; the hub is asked to resend)")
                .bind("gaveUp", missing + " event(s) not received; the hub did not answer repeated resend requests and Haven has stopped asking: check the hub")
                .bind("site", room.site())
                .bind("room", room.room())
                .map((rs, ctx) -> RoomView.from(rs))
                .findOne();
    }

    /**
     * Counts one resend request for this room's gap. False once {@code maxAsks} requests have gone unanswered
     * (the gap did not shrink): a hub that never answers, or a gap no hub can fill, is not asked every 15 s for
     * ever; the room says so instead, and asking starts again when the gap shrinks.
     */
    public boolean askAgain(Handle c, RoomId room, int maxAsks, Instant now) throws SQLException {
        long missing = missing(c, room);
        Optional<Repair> repair = c.createQuery(REPAIR)
                .bind("site", room.site())
                .bind("room", room.room())
                .map((rs, ctx) -> new Repair(rs.getInt(1), rs.getString(2) != null))
                .findOne();
        if (repair.isEmpty() || repair.get().gaveUp()) {
            return false;
        }
        int asks = repair.get().asks();
        boolean ask = asks < maxAsks;
        c.createUpdate(ASKED)
                .bind("asks", ask ? asks + 1 : asks)
                .bind("missing", missing)
                .bindByType("gaveUp", ask ? null : now, Instant.class)
                .bind("site", room.site())
                .bind("room", room.room())
                .execute();
        if (!ask) {
            recomputeGap(c, room);
        }
        return ask;
    }

    /** Seq ranges [from, to] of this hub's events that are missing, oldest first, at most {@code limit} ranges. */
    public List<long[]> missingRanges(Handle c, RoomId room, int limit) throws SQLException {
        long expected = c.createQuery(EXPECTED.formatted(highestSeq(c)))
                .bind("site", room.site())
                .bind("room", room.room())
                .mapTo(long.class)
                .findOne()
                .orElse(0L);
        List<long[]> ranges = new ArrayList<>();
        long next = 1;
        // Read only as far as the ranges asked for: a long-lost hub's history is not walked to the end.
        try (ResultIterator<Long> seqs = c.createQuery(LOGGED_SEQS)
                .bind("site", room.site())
                .bind("room", room.room())
                .mapTo(long.class)
                .iterator()) {
            while (ranges.size() < limit && seqs.hasNext()) {
                long seq = seqs.next();
                if (seq > next) {
                    ranges.add(new long[] {next, seq - 1});
                }
                next = Math.max(next, seq + 1);
            }
        }
        if (next <= expected && ranges.size() < limit) {
            ranges.add(new long[] {next, expected});
        }
        return ranges;
    }

    public List<RoomId> roomsWithGaps(Handle c) throws SQLException {
        return c.createQuery(WITH_GAPS).map((rs, ctx) -> new RoomId(rs.getString("site"), rs.getString("room"))).list();
    }

    public Optional<RoomView> find(Handle c, RoomId room) throws SQLException {
        return c.createQuery(FIND)
                .bind("site", room.site())
                .bind("room", room.room())
                .map((rs, ctx) -> RoomView.from(rs))
                .findOne();
    }

    public List<RoomView> list(Handle c) throws SQLException {
        return c.createQuery(LIST).map((rs, ctx) -> RoomView.from(rs)).list();
    }

    /** The projection of aup.reviewed: when the room last went through its AUP (the latest, even if delivered late). */
    public Optional<RoomView> aupReviewed(Handle c, Event event, Optional<RoomView> logged) throws SQLException {
        if (event.type() != haven.protocol.EventType.AUP_REVIEWED) {
            return logged;
        }
        c.createUpdate(AUP_REVIEWED)
                .bind("at", event.at())
                .bind("site", event.room().site())
                .bind("room", event.room().room())
                .execute();
        return find(c, event.room());
    }
}
