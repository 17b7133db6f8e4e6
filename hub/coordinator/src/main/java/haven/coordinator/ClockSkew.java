package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Event;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * Compares a hub's clock with the coordinator's. A Pi has no real-time clock: after a power cut without network
 * its time is wherever it stopped, so its timestamps can be hours out. The coordinator keeps its own receive time
 * for every event and orders and escalates by it (never by a hub's clock alone); this records how far each
 * room's clock is out, so the dashboard can flag the room and the events concerned.
 *
 * A status is published when it is made, so its skew is the clock's. An event may also be late (the outbox
 * held it through an outage): one that is behind is flagged "late or clock behind", one ahead is the clock.
 */
public final class ClockSkew {
    /** Over this, a room's clock is flagged. NTP keeps a synchronised Pi within milliseconds. */
    public static final Duration THRESHOLD = Duration.ofMinutes(2);

    private ClockSkew() {
    }

    /** Hub time minus receive time: positive when the hub's clock is ahead. */
    public static Duration of(Instant hubAt, Instant receivedAt) {
        return Duration.between(receivedAt, hubAt);
    }

    public static boolean flagged(long skewMillis) {
        return Math.abs(skewMillis) > THRESHOLD.toMillis();
    }

    /** Called by ingest, in its transaction, for each online status. */
    public static void status(Handle c, RoomId room, HubStatus status, Instant receivedAt) throws SQLException {
        if (!status.online()) {
            return; // the Last Will carries the time the hub connected, not now
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO hub_health(site, room, received_at, hub_at, skew_millis, health) VALUES (?,?,?,?,?,?)
                ON CONFLICT (site, room) DO UPDATE SET received_at = excluded.received_at, hub_at = excluded.hub_at,
                    skew_millis = excluded.skew_millis, health = excluded.health""")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            ps.setString(3, Json.time(receivedAt));
            ps.setString(4, Json.time(status.at()));
            ps.setLong(5, of(status.at(), receivedAt).toMillis());
            ps.setString(6, status.health().map(h -> Json.write(h.toJson())).orElse(null));
            ps.executeUpdate();
        }
    }

    /** Called by ingest, in its transaction, for each new event: kept only when over the threshold. */
    public static void event(Handle c, Event event, Instant receivedAt) throws SQLException {
        long skew = of(event.at(), receivedAt).toMillis();
        if (!flagged(skew)) {
            return;
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "INSERT INTO event_clock_skew(event_id, site, room, skew_millis) VALUES (?,?,?,?)")) {
            ps.setString(1, event.id());
            ps.setString(2, event.room().site());
            ps.setString(3, event.room().room());
            ps.setLong(4, skew);
            ps.executeUpdate();
        }
    }
}
