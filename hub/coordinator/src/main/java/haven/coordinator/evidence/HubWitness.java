package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one classroom hub's own SQLite says the coordinator's log must hold (`haven verify-log --hub-db`):
 * every event its outbox marked sent (the broker acknowledged it, the coordinator took it), and at every
 * chain head it witnessed, a row with that hash. The hub's card is out of reach of an insider with the
 * coordinator's database, so a log rewritten from some row on (even re-chained to the end) or cut short
 * is caught here. Events a retention purge removed are excused by its chained coordinator.purged record.
 */
final class HubWitness {
    private HubWitness() {
    }

    /** How much one hub database vouched for. */
    record Counts(long sentEvents, long heads) {
    }

    static Optional<EvidenceCheck.Finding> check(Handle log, Path hubDb, long[] counted) throws SQLException {
        if (!Files.isReadable(hubDb)) {
            throw new IllegalArgumentException("cannot read hub database " + hubDb);
        }
        Map<String, Long> purgedUpTo = purgedSeqs(log);
        long firstKept = firstPosition(log);
        Map<Long, String> purgeHashes = purgeHashes(log);
        String name = hubDb.toString();
        try (Connection hub = DriverManager.getConnection("jdbc:sqlite:file:" + hubDb.toAbsolutePath() + "?mode=ro");
             PreparedStatement inLog = log.getConnection().prepareStatement("SELECT 1 FROM events WHERE id = ?");
             PreparedStatement atPosition = log.getConnection().prepareStatement("SELECT hash FROM events WHERE pos = ?")) {
            String lastWitnessed = lastWitnessed(hub);
            try (PreparedStatement ps = hub.prepareStatement("SELECT seq, id, payload, sent_at FROM outbox WHERE sent_at IS NOT NULL ORDER BY seq");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inLog.setString(1, rs.getString(2));
                    try (ResultSet found = inLog.executeQuery()) {
                        if (found.next()) {
                            counted[0]++;
                            continue;
                        }
                    }
                    JsonNode event = Json.parse(rs.getString(3).getBytes(StandardCharsets.UTF_8));
                    String room = event.path("site").asText() + "/" + event.path("room").asText();
                    if (rs.getLong(1) <= purgedUpTo.getOrDefault(room, 0L)) {
                        continue; // removed by a retention purge, which the chain records
                    }
                    // The broker's PUBACK marks it sent: it may still be on its way to a stopped coordinator.
                    // It is missing, not late, once a later event of the hub is logged or the hub saw a head
                    // published a minute after it sent this one.
                    boolean late = lastWitnessed != null && java.time.Instant.parse(lastWitnessed)
                            .isAfter(java.time.Instant.parse(rs.getString(4)).plusSeconds(60));
                    if (!late && highestSeq(log, event) <= rs.getLong(1)) {
                        continue;
                    }
                    return Optional.of(new EvidenceCheck.Finding("events", "event " + rs.getString(2) + " (seq " + rs.getLong(1) + " of "
                            + room + ")", "hub database " + name + " marked it sent and the coordinator took it, but it is not in the log"));
                }
            }
            if (!haven.store.Dialect.SQLITE.hasTable(hub, "witnessed_heads")) {
                return Optional.empty(); // a hub from before it kept heads
            }
            long highestWitnessed;
            try (PreparedStatement ps = hub.prepareStatement("SELECT coalesce(max(position), 0) FROM witnessed_heads");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                highestWitnessed = rs.getLong(1);
            }
            long lastPurgeAt;
            try (PreparedStatement ps = log.getConnection().prepareStatement("SELECT coalesce(max(pos), 0) FROM events WHERE type = ?")) {
                ps.setString(1, StaffDecisions.PURGED);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lastPurgeAt = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = hub.prepareStatement("SELECT position, hash, seen_at FROM witnessed_heads ORDER BY position");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long position = rs.getLong(1);
                    String hash = rs.getString(2);
                    String row = "position " + position;
                    if (position < firstKept) {
                        // Only a purge the hub saw happen may take rows it witnessed: one appended by hand at
                        // the tail, after every head this hub kept, is not.
                        if (highestWitnessed < lastPurgeAt) {
                            return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed this"
                                    + " position, which a purge removed, but never saw a head at or after that purge's record (position "
                                    + lastPurgeAt + ")"));
                        }
                        String checkpoint = purgeHashes.get(position);
                        if (checkpoint != null && !checkpoint.equals(hash)) {
                            return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed hash "
                                    + hash + " here (seen " + rs.getString(3) + "); the purge's checkpoint says " + checkpoint));
                        }
                        counted[1]++;
                        continue; // purged: the checkpoint's own head is what the hub can still vouch for
                    }
                    atPosition.setLong(1, position);
                    try (ResultSet at = atPosition.executeQuery()) {
                        if (!at.next()) {
                            return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed the log's head here (seen "
                                    + rs.getString(3) + "), but the log has no row at this position: it was cut short"));
                        }
                        if (!hash.equals(at.getString(1))) {
                            return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed hash " + hash
                                    + " here (seen " + rs.getString(3) + "); the log has " + at.getString(1) + ": it was rewritten"));
                        }
                    }
                    counted[1]++;
                }
            }
        }
        return Optional.empty();
    }

    private static String lastWitnessed(Connection hub) throws SQLException {
        if (!haven.store.Dialect.SQLITE.hasTable(hub, "witnessed_heads")) {
            return null;
        }
        try (PreparedStatement ps = hub.prepareStatement("SELECT max(seen_at) FROM witnessed_heads"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long highestSeq(Handle log, JsonNode event) throws SQLException {
        try (PreparedStatement ps = log.getConnection().prepareStatement("SELECT coalesce(max(seq), 0) FROM events WHERE site = ? AND room = ?")) {
            ps.setString(1, event.path("site").asText());
            ps.setString(2, event.path("room").asText());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The first position still in the log (after purges), or one past the end of an empty log. */
    private static long firstPosition(Handle c) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT min(pos) FROM events"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            long min = rs.getLong(1);
            return rs.wasNull() ? Long.MAX_VALUE : min;
        }
    }

    /** Every hub's highest purged seq, from the chained coordinator.purged records still in the log. */
    private static Map<String, Long> purgedSeqs(Handle c) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode data : purgeRecords(c)) {
            for (JsonNode r : data.path("purgedSeqs")) {
                out.merge(r.path("site").asText() + "/" + r.path("room").asText(), r.path("upToSeq").asLong(), Math::max);
            }
        }
        return out;
    }

    private static Map<Long, String> purgeHashes(Handle c) throws SQLException {
        Map<Long, String> out = new HashMap<>();
        for (JsonNode data : purgeRecords(c)) {
            if (data.hasNonNull("hash")) {
                out.put(data.path("upToPosition").asLong(), data.get("hash").asText());
            }
        }
        return out;
    }

    static java.util.List<JsonNode> purgeRecords(Handle c) throws SQLException {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT payload FROM events WHERE type = ? ORDER BY pos")) {
            ps.setString(1, StaffDecisions.PURGED);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.parse(rs.getString(1).getBytes(StandardCharsets.UTF_8)).path("data"));
                }
            }
        }
        return out;
    }
}
