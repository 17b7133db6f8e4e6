package haven.classroom;

import haven.protocol.ChainHead;
import haven.protocol.Json;
import haven.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heads of the coordinator's evidence chain this hub has seen, kept in its own SQLite: an insider with
 * the coordinator's database cannot reach the hubs' SD cards, so `haven verify-log --hub-db` can tell a
 * rewritten or truncated log from the one the hub saw (docs/EVIDENCE.md). Every head of the last day is
 * kept, and the last of each earlier day: the hash at a position commits to every row before it, so the
 * thinned heads still cover the whole log at little cost to the card.
 */
public final class WitnessedHeads {
    private static final Logger log = LoggerFactory.getLogger(WitnessedHeads.class);
    private static final Duration KEEP_ALL = Duration.ofDays(1);

    private final Database db;
    private final Clock clock;

    public WitnessedHeads(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Keeps one head; {@code via} says how it came (the retained topic or a command's name). */
    public void seen(ChainHead head, String via) {
        try {
            db.inTransaction(c -> {
                long highest = 0;
                try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(position), 0) FROM witnessed_heads");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    highest = rs.getLong(1);
                }
                if (head.position() < highest) {
                    // Not refused: the hub only witnesses. verify-log judges; the log line helps whoever looks.
                    log.warn("chain head went back position={} highestSeen={} via={}", head.position(), highest, via);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO witnessed_heads(position, hash, at, seen_at, via) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING")) {
                    ps.setLong(1, head.position());
                    ps.setString(2, head.hash());
                    ps.setString(3, Json.time(head.at()));
                    ps.setString(4, Json.time(clock.instant()));
                    ps.setString(5, via);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        DELETE FROM witnessed_heads WHERE seen_at < ? AND rowid NOT IN (
                            SELECT max(rowid) FROM witnessed_heads GROUP BY substr(seen_at, 1, 10))""")) {
                    ps.setString(1, Json.time(clock.instant().minus(KEEP_ALL)));
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            log.warn("chain head not kept position={} reason={}", head.position(), e.getMessage());
        }
    }
}
