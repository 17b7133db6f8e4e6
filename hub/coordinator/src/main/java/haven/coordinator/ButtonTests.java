package haven.coordinator;

import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each room's last successful button test (a button.tested event in the chained log, by the coordinator's
 * receive time) and whether it is overdue: a button nobody has tried for {@link #DUE} may be broken, and a pupil
 * would only find out when it matters.
 */
public final class ButtonTests {
    public static final Duration DUE = Duration.ofDays(30);

    private final Database db;
    private final Clock clock;

    public ButtonTests(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public record Entry(RoomId room, Optional<Instant> lastTestedAt, boolean overdue) {
        public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
            var o = Json.object();
            o.put("site", room.site());
            o.put("room", room.room());
            if (lastTestedAt.isPresent()) {
                o.put("lastTestedAt", Json.time(lastTestedAt.get()));
            } else {
                o.putNull("lastTestedAt");
            }
            o.put("overdue", overdue);
            return o;
        }
    }

    /** Every room the coordinator knows, with its last test. */
    public List<Entry> list() throws SQLException {
        Instant now = clock.instant();
        return db.query(c -> {
            Map<RoomId, Optional<Instant>> last = new LinkedHashMap<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room FROM rooms ORDER BY site, room");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last.put(new RoomId(rs.getString(1), rs.getString(2)), Optional.empty());
                }
            }
            try (PreparedStatement ps = c.getConnection().prepareStatement(
                    "SELECT site, room, max(received_at) FROM events WHERE type = 'button.tested' GROUP BY site, room");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last.put(new RoomId(rs.getString(1), rs.getString(2)), Optional.of(Instant.parse(rs.getString(3))));
                }
            }
            List<Entry> out = new ArrayList<>();
            last.forEach((room, at) -> out.add(new Entry(room, at, at.map(t -> t.isBefore(now.minus(DUE))).orElse(true))));
            return out;
        });
    }
}
