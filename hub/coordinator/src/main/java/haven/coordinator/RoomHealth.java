package haven.coordinator;

import haven.protocol.HubHealth;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Each room's latest hub.health and clock skew, as ingest recorded them ({@link ClockSkew}), for the dashboard. */
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
        return db.query(c -> {
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement(
                    "SELECT site, room, received_at, hub_at, skew_millis, health FROM hub_health ORDER BY site, room");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String h = rs.getString(6);
                    out.add(new Entry(new RoomId(rs.getString(1), rs.getString(2)), Instant.parse(rs.getString(3)),
                            Instant.parse(rs.getString(4)), rs.getLong(5),
                            h == null ? Optional.empty() : HubHealth.fromJson(Json.parse(h.getBytes(StandardCharsets.UTF_8)))));
                }
            }
            return out;
        });
    }

}
