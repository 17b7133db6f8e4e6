package haven.coordinator;

import haven.protocol.HubHealth;
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

        /**
         * The hub's row as the dashboard reads it. {@code health} is written as the hub reported it
         * ({@link HubHealth#toJson}, the contract's form), null when the hub sent none.
         */
        public Body body() {
            return new Body(room.site(), room.room(), receivedAt, hubAt, skewMillis, skewed(),
                    health.map(HubHealth::toJson).orElse(null));
        }

        /** The answer body of one hub (GET /api/hub-health lists them). */
        public record Body(String site, String room, Instant receivedAt, Instant hubAt, long skewMillis, boolean clockSkewed,
                           com.fasterxml.jackson.databind.JsonNode health) {
        }
    }

    public List<Entry> list() throws SQLException {
        return db.query(ClockSkew::latest);
    }

}
