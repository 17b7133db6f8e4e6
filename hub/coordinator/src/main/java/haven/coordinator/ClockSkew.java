package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Event;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.HubHealth;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Compares a hub's clock with the coordinator's. A Pi has no real-time clock: after a power cut without network
 * its time is wherever it stopped, so its timestamps can be hours out. The coordinator keeps its own receive time
 * for every event and orders and escalates by it (never by a hub's clock alone); this records how far each
 * room's clock is out, so the dashboard can flag the room and the events concerned.
 *
 * A status is published when it is made, so its skew is the clock's. An event may also be late (the outbox
 * held it through an outage): one that is behind is flagged "late or clock behind", one ahead is the clock.
 *
 * Owns the {@code hub_health} and {@code event_clock_skew} tables ({@link RoomHealth} reads hub_health through
 * {@link #latest}).
 */
public final class ClockSkew {
    private static final String RECORD_STATUS = """
            INSERT INTO hub_health(site, room, received_at, hub_at, skew_millis, health)
            VALUES (:site, :room, :receivedAt, :hubAt, :skewMillis, :health)
            ON CONFLICT (site, room) DO UPDATE SET received_at = excluded.received_at, hub_at = excluded.hub_at,
                skew_millis = excluded.skew_millis, health = excluded.health""";
    private static final String RECORD_EVENT = """
            INSERT INTO event_clock_skew(event_id, site, room, skew_millis) VALUES (:eventId, :site, :room, :skewMillis)""";
    private static final String LATEST =
            "SELECT site, room, received_at, hub_at, skew_millis, health FROM hub_health ORDER BY site, room";
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
        c.createUpdate(RECORD_STATUS)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("receivedAt", receivedAt)
                .bind("hubAt", status.at())
                .bind("skewMillis", of(status.at(), receivedAt).toMillis())
                .bind("health", status.health().map(h -> Json.write(h.toJson())).orElse(null))
                .execute();
    }

    /** Called by ingest, in its transaction, for each new event: kept only when over the threshold. */
    public static void event(Handle c, Event event, Instant receivedAt) throws SQLException {
        long skew = of(event.at(), receivedAt).toMillis();
        if (!flagged(skew)) {
            return;
        }
        c.createUpdate(RECORD_EVENT)
                .bind("eventId", event.id())
                .bind("site", event.room().site())
                .bind("room", event.room().room())
                .bind("skewMillis", skew)
                .execute();
    }

    /** Each room's latest hub.health and clock skew, by site and room. */
    static List<RoomHealth.Entry> latest(Handle c) {
        return c.createQuery(LATEST).map((rs, ctx) -> {
            var instant = ctx.findColumnMapperFor(Instant.class).orElseThrow();
            String h = rs.getString("health");
            return new RoomHealth.Entry(new RoomId(rs.getString("site"), rs.getString("room")),
                    instant.map(rs, "received_at", ctx), instant.map(rs, "hub_at", ctx), rs.getLong("skew_millis"),
                    h == null ? Optional.empty() : HubHealth.fromJson(Json.parse(h.getBytes(StandardCharsets.UTF_8))));
        }).list();
    }
}
