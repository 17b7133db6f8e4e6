package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Event;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Dialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rooms table: presence from the retained status / Last Will, and per-hub sequence gaps. */
public final class Rooms {
    /** The highest seq known for a room: the most recent logged, or what the hub's status says it has. */
    private static String highestSeq(Handle c) throws SQLException {
        return "SELECT " + Dialect.of(c).greatest(
                "coalesce((SELECT max(seq) FROM events e WHERE e.site = r.site AND e.room = r.room), 0)", "r.expected_seq");
    }

    public Optional<RoomView> presence(Handle c, RoomId room, HubStatus status, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO rooms(site, room, online, since, version, aup_key_stage, aup_version, condition)
                VALUES (?,?,?,?,?,?,?,?)
                ON CONFLICT(site, room) DO UPDATE SET
                    since = CASE WHEN rooms.online = excluded.online THEN rooms.since ELSE excluded.since END,
                    online = excluded.online,
                    version = coalesce(nullif(excluded.version, ''), rooms.version),
                    aup_key_stage = coalesce(nullif(excluded.aup_key_stage, ''), rooms.aup_key_stage),
                    aup_version = coalesce(nullif(excluded.aup_version, ''), rooms.aup_version),
                    condition = excluded.condition""")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            ps.setInt(3, status.online() ? 1 : 0);
            ps.setString(4, Json.time(receivedAt));
            ps.setString(5, status.version());
            ps.setString(6, status.aupKeyStage());
            ps.setString(7, status.aupVersion());
            ps.setString(8, status.condition());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE rooms SET expected_seq = " + Dialect.of(c).greatest("expected_seq", "?") + " WHERE site = ? AND room = ?")) {
            ps.setLong(1, status.lastSeq());
            ps.setString(2, room.site());
            ps.setString(3, room.room());
            ps.executeUpdate();
        }
        recomputeGap(c, room);
        return find(c, room);
    }

    /**
     * Records that an event of this hub was logged and recomputes its gap warning: seq starts at 1 and
     * rises by one, so fewer distinct seqs than the highest one means events are missing (possibly lost,
     * possibly still on their way from the hub's outbox).
     */
    public Optional<RoomView> eventLogged(Handle c, Event event, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO rooms(site, room, online, since) VALUES (?,?,1,?)
                ON CONFLICT(site, room) DO NOTHING""")) {
            ps.setString(1, event.room().site());
            ps.setString(2, event.room().room());
            ps.setString(3, Json.time(receivedAt));
            ps.executeUpdate();
        }
        // A seq seen for the first time adds one to the room's counter (an index look-up, not a count).
        long sameSeq = 0;
        if (event.seq() > 0) {
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT count(*) FROM events WHERE site = ? AND room = ? AND seq = ?")) {
                ps.setString(1, event.room().site());
                ps.setString(2, event.room().room());
                ps.setLong(3, event.seq());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    sameSeq = rs.getLong(1);
                }
            }
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE rooms SET last_seq = " + Dialect.of(c).greatest("last_seq", "?")
                + ", logged_seqs = logged_seqs + ? WHERE site = ? AND room = ?")) {
            ps.setLong(1, event.seq());
            ps.setLong(2, sameSeq == 1 ? 1 : 0);
            ps.setString(3, event.room().site());
            ps.setString(4, event.room().room());
            ps.executeUpdate();
        }
        recomputeGap(c, event.room());
        return find(c, event.room());
    }

    /** The highest seq this hub has logged or said it has (0 for a room never heard of): what a seq jump is measured from. */
    public long highestKnown(Handle c, RoomId room) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + Dialect.of(c).greatest("last_seq", "expected_seq")
                + " FROM rooms WHERE site = ? AND room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The hub of this room is over an ingest limit (IngestGuard): one condition on the room, however many reports. */
    public void flooded(Handle c, RoomId room, String reason, Instant at) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO rooms(site, room, online, since) VALUES (?,?,1,?)
                ON CONFLICT(site, room) DO NOTHING""")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            ps.setString(3, Json.time(at));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE rooms SET flood_refused = flood_refused + 1, flood_last = ? WHERE site = ? AND room = ?")) {
            ps.setString(1, Json.time(at));
            ps.setString(2, room.site());
            ps.setString(3, room.room());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT flood_refused FROM rooms WHERE site = ? AND room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long refused = rs.getLong(1);
                try (PreparedStatement up = c.getConnection().prepareStatement("UPDATE rooms SET flood = ? WHERE site = ? AND room = ?")) {
                    up.setString(1, "flood: " + reason + " (" + refused + " report(s) over the limits, last " + Json.time(at) + ")");
                    up.setString(2, room.site());
                    up.setString(3, room.room());
                    up.executeUpdate();
                }
            }
        }
    }

    /** A new report of this room within the limits: the flood condition ends once ten quiet minutes have passed. */
    public void floodOver(Handle c, RoomId room, Instant now) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE rooms SET flood = NULL, flood_refused = 0 WHERE site = ? AND room = ? AND flood_last IS NOT NULL AND flood_last < ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            ps.setString(3, Json.time(now.minus(java.time.Duration.ofMinutes(10))));
            ps.executeUpdate();
        }
    }

    /** How many of a hub's events below the highest known seq are not in the log. */
    public long missing(Handle c, RoomId room) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(highestSeq(c)
                // seq 0 is the coordinator's own records on the room's timeline, not a number of the hub's
                + " - r.logged_seqs"
                + " FROM rooms r WHERE r.site = ? AND r.room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(0, rs.getLong(1)) : 0;
            }
        }
    }

    private void recomputeGap(Handle c, RoomId room) throws SQLException {
        long missing = missing(c, room);
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                UPDATE rooms SET
                    repair_asks = CASE WHEN ? = 0 OR ? < repair_missing THEN 0 ELSE repair_asks END,
                    repair_gave_up = CASE WHEN ? = 0 OR ? < repair_missing THEN NULL ELSE repair_gave_up END,
                    repair_missing = CASE WHEN ? = 0 THEN 0 WHEN ? < repair_missing THEN ? ELSE repair_missing END
                WHERE site = ? AND room = ?""")) {
            // The gap shrank: the hub is answering, so repair starts counting afresh.
            for (int i = 1; i <= 7; i++) {
                ps.setLong(i, missing);
            }
            ps.setString(8, room.site());
            ps.setString(9, room.room());
            ps.executeUpdate();
        }
        boolean gaveUp;
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT repair_gave_up FROM rooms WHERE site = ? AND room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                gaveUp = rs.next() && rs.getString(1) != null;
            }
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE rooms SET gap_warning = ? WHERE site = ? AND room = ?")) {
            ps.setString(1, missing == 0 ? null : gaveUp
                    ? missing + " event(s) not received; the hub did not answer repeated resend requests and Haven has stopped asking: check the hub"
                    : missing + " event(s) not yet received (possible loss; the hub is asked to resend)");
            ps.setString(2, room.site());
            ps.setString(3, room.room());
            ps.executeUpdate();
        }
    }

    /**
     * Counts one resend request for this room's gap. False once {@code maxAsks} requests have gone unanswered
     * (the gap did not shrink): a hub that never answers, or a gap no hub can fill, is not asked every 15 s for
     * ever; the room says so instead, and asking starts again when the gap shrinks.
     */
    public boolean askAgain(Handle c, RoomId room, int maxAsks, Instant now) throws SQLException {
        long missing = missing(c, room);
        int asks;
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT repair_asks, repair_gave_up FROM rooms WHERE site = ? AND room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(2) != null) {
                    return false;
                }
                asks = rs.getInt(1);
            }
        }
        boolean ask = asks < maxAsks;
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE rooms SET repair_asks = ?, repair_missing = ?, repair_gave_up = ? WHERE site = ? AND room = ?")) {
            ps.setInt(1, ask ? asks + 1 : asks);
            ps.setLong(2, missing);
            ps.setString(3, ask ? null : Json.time(now));
            ps.setString(4, room.site());
            ps.setString(5, room.room());
            ps.executeUpdate();
        }
        if (!ask) {
            recomputeGap(c, room);
        }
        return ask;
    }

    /** Seq ranges [from, to] of this hub's events that are missing, oldest first, at most {@code limit} ranges. */
    public List<long[]> missingRanges(Handle c, RoomId room, int limit) throws SQLException {
        long expected;
        try (PreparedStatement ps = c.getConnection().prepareStatement(highestSeq(c) + " FROM rooms r WHERE r.site = ? AND r.room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                expected = rs.next() ? rs.getLong(1) : 0;
            }
        }
        List<long[]> ranges = new ArrayList<>();
        long next = 1;
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "SELECT DISTINCT seq FROM events WHERE site = ? AND room = ? ORDER BY seq")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && ranges.size() < limit) {
                    long seq = rs.getLong(1);
                    if (seq > next) {
                        ranges.add(new long[] {next, seq - 1});
                    }
                    next = Math.max(next, seq + 1);
                }
            }
        }
        if (next <= expected && ranges.size() < limit) {
            ranges.add(new long[] {next, expected});
        }
        return ranges;
    }

    public List<RoomId> roomsWithGaps(Handle c) throws SQLException {
        List<RoomId> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room FROM rooms WHERE gap_warning IS NOT NULL AND online = 1 AND repair_gave_up IS NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new RoomId(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    public Optional<RoomView> find(Handle c, RoomId room) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + RoomView.COLUMNS + " FROM rooms WHERE site = ? AND room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(RoomView.from(rs)) : Optional.empty();
            }
        }
    }

    public List<RoomView> list(Handle c) throws SQLException {
        List<RoomView> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + RoomView.COLUMNS + " FROM rooms ORDER BY site, room");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(RoomView.from(rs));
            }
        }
        return out;
    }

    /** The projection of aup.reviewed: when the room last went through its AUP (the latest, even if delivered late). */
    public Optional<RoomView> aupReviewed(Handle c, Event event, Optional<RoomView> logged) throws SQLException {
        if (event.type() != haven.protocol.EventType.AUP_REVIEWED) {
            return logged;
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE rooms SET aup_reviewed_at = ? WHERE site = ? AND room = ?"
                + " AND (aup_reviewed_at IS NULL OR aup_reviewed_at < ?)")) {
            ps.setString(1, Json.time(event.at()));
            ps.setString(2, event.room().site());
            ps.setString(3, event.room().room());
            ps.setString(4, Json.time(event.at()));
            ps.executeUpdate();
        }
        return find(c, event.room());
    }
}
