package haven.coordinator;

import haven.protocol.Event;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rooms table: presence from the retained status / Last Will, and per-hub sequence gaps. */
public final class Rooms {

    public Optional<RoomView> presence(Connection c, RoomId room, HubStatus status, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
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
        return find(c, room);
    }

    /**
     * Records that an event of this hub was logged and recomputes its gap warning: seq starts at 1 and
     * rises by one, so fewer distinct seqs than the highest one means events are missing (possibly lost,
     * possibly still on their way from the hub's outbox).
     */
    public Optional<RoomView> eventLogged(Connection c, Event event, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO rooms(site, room, online, since) VALUES (?,?,1,?)
                ON CONFLICT(site, room) DO NOTHING""")) {
            ps.setString(1, event.room().site());
            ps.setString(2, event.room().room());
            ps.setString(3, Json.time(receivedAt));
            ps.executeUpdate();
        }
        long max;
        long distinct;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT max(seq), count(DISTINCT seq) FROM events WHERE site = ? AND room = ?")) {
            ps.setString(1, event.room().site());
            ps.setString(2, event.room().room());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                max = rs.getLong(1);
                distinct = rs.getLong(2);
            }
        }
        long missing = max - distinct;
        String warning = missing > 0 ? missing + " event(s) missing below seq " + max + " (possible loss)" : null;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE rooms SET last_seq = max(last_seq, ?), gap_warning = ? WHERE site = ? AND room = ?")) {
            ps.setLong(1, event.seq());
            ps.setString(2, warning);
            ps.setString(3, event.room().site());
            ps.setString(4, event.room().room());
            ps.executeUpdate();
        }
        return find(c, event.room());
    }

    public Optional<RoomView> find(Connection c, RoomId room) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + RoomView.COLUMNS + " FROM rooms WHERE site = ? AND room = ?")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(RoomView.from(rs)) : Optional.empty();
            }
        }
    }

    public List<RoomView> list(Connection c) throws SQLException {
        List<RoomView> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + RoomView.COLUMNS + " FROM rooms ORDER BY site, room");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(RoomView.from(rs));
            }
        }
        return out;
    }
}
