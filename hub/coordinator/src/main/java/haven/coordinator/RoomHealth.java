package haven.coordinator;

import haven.protocol.HubHealth;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Each room's latest hub.health and clock skew, as ingest recorded them, for the dashboard. The hub_health table
 * and its SQL are {@link ClockSkew}'s; this is the read-only view.
 */
public final class RoomHealth {
    private final Database db;
    private final Clock clock;

    public RoomHealth(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public record Entry(RoomId room, Instant receivedAt, Instant hubAt, long skewMillis, Optional<HubHealth> health) {
        public boolean skewed() {
            return ClockSkew.flagged(skewMillis);
        }

        public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
            var o = Json.object();
            o.put("site", room.site());
            o.put("room", room.room());
            o.put("receivedAt", Json.time(receivedAt));
            o.put("hubAt", Json.time(hubAt));
            o.put("skewMillis", skewMillis);
            o.put("clockSkewed", skewed());
            if (health.isPresent()) {
                o.set("health", health.get().toJson());
            } else {
                o.putNull("health");
            }
            return o;
        }
    }

    public List<Entry> list() throws SQLException {
        return db.query(ClockSkew::latest);
    }

}
