package haven.coordinator;

import haven.protocol.RoomId;
import haven.store.Database;
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
 * receive time) and whether it is overdue: a button nobody has tried for {@code buttonTests.dueDays} (default {@link #DUE}) may be broken, and a pupil
 * would only find out when it matters.
 *
 * <p>Owns no table: it reads the rooms the coordinator knows ({@code rooms}, owned by {@link Rooms}) and the
 * chained log's button.tested events ({@code events}, owned by the event log).
 */
public final class ButtonTests {
    /** The default of {@code buttonTests.dueDays}. */
    public static final Duration DUE = Duration.ofDays(30);

    private static final String ROOMS = "SELECT site, room FROM rooms ORDER BY site, room";
    /** By the coordinator's receive time, never the hub's clock (issue #18). */
    private static final String LAST_TESTED = """
            SELECT site, room, max(received_at) AS last_tested FROM events
            WHERE type = :type GROUP BY site, room""";

    private final Database db;
    private final Clock clock;
    private final Duration due;

    public ButtonTests(Database db, Clock clock, Duration due) {
        this.db = db;
        this.clock = clock;
        this.due = due;
    }

    public record Entry(RoomId room, Optional<Instant> lastTestedAt, boolean overdue, Duration due) {
        /** The room's row as the dashboard reads it: never tested is a null {@code lastTestedAt}. */
        public Body body() {
            return new Body(room.site(), room.room(), lastTestedAt.orElse(null), overdue, due.toDays());
        }

        /** The answer body of one room (GET /api/button-tests lists them). */
        public record Body(String site, String room, Instant lastTestedAt, boolean overdue, long dueDays) {
        }
    }

    /** Every room the coordinator knows, with its last test. */
    public List<Entry> list() throws SQLException {
        Instant now = clock.instant();
        return db.query(c -> {
            Map<RoomId, Optional<Instant>> last = new LinkedHashMap<>();
            c.createQuery(ROOMS).map((rs, ctx) -> new RoomId(rs.getString("site"), rs.getString("room")))
                    .forEach(room -> last.put(room, Optional.empty()));
            c.createQuery(LAST_TESTED).bind("type", haven.protocol.EventType.BUTTON_TESTED.wire())
                    .map((rs, ctx) -> Map.entry(new RoomId(rs.getString("site"), rs.getString("room")),
                            ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "last_tested", ctx)))
                    .forEach(e -> last.put(e.getKey(), Optional.of(e.getValue())));
            List<Entry> out = new ArrayList<>();
            last.forEach((room, at) -> out.add(new Entry(room, at, at.map(t -> t.isBefore(now.minus(due))).orElse(true), due)));
            return out;
        });
    }
}
