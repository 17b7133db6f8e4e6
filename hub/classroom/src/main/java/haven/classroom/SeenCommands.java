package haven.classroom;

import haven.protocol.Json;
import haven.store.Database;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The ids of the signed commands this hub has acted on, in its own SQLite so a replay is caught after a
 * restart too. Bounded: rows older than a day go (a command that old is stale, refused by its time), and the
 * table never holds more than {@link #MAX_ROWS}.
 */
public final class SeenCommands {
    static final Duration KEEP = Duration.ofDays(1);
    static final int MAX_ROWS = 10_000;

    private final Database db;
    private final Clock clock;

    public SeenCommands(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** True the first time an id is seen (and remembers it); false for an id already acted on. */
    public boolean first(String id, Instant at) throws SQLException {
        return db.inTransaction(c -> {
            int added;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO seen_commands(id, at, seen_at) VALUES (?,?,?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, id);
                ps.setString(2, Json.time(at));
                ps.setString(3, Json.time(clock.instant()));
                added = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM seen_commands WHERE seen_at < ?")) {
                ps.setString(1, Json.time(clock.instant().minus(KEEP)));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM seen_commands WHERE rowid NOT IN (SELECT rowid FROM seen_commands ORDER BY rowid DESC LIMIT ?)""")) {
                ps.setInt(1, MAX_ROWS);
                ps.executeUpdate();
            }
            return added == 1;
        });
    }
}
