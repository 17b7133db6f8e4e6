package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import haven.store.Dialect;
import haven.store.SqlTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.result.ResultIterator;

/**
 * What one classroom hub's own SQLite says the coordinator's log must hold (`haven verify-log --hub-db`):
 * every event its outbox marked sent (the broker acknowledged it, the coordinator took it), and at every
 * chain head it witnessed, a row with that hash. The hub's card is out of reach of an insider with the
 * coordinator's database, so a log rewritten from some row on (even re-chained to the end) or cut short
 * is caught here. Events a retention purge removed are excused by its chained coordinator.purged record.
 *
 * <p>The statements below read the hub's file, opened read-only beside the log: its outbox and witnessed
 * heads belong to the classroom hub, which writes them; the log's rows are read through {@link EventLog}.
 */
final class HubWitness {
    private static final String SENT = "SELECT seq, id, payload, sent_at FROM outbox WHERE sent_at IS NOT NULL ORDER BY seq";
    private static final String HIGHEST_WITNESSED = "SELECT coalesce(max(position), 0) FROM witnessed_heads";
    private static final String HEADS = "SELECT position, hash, seen_at FROM witnessed_heads ORDER BY position";
    private static final String LAST_SEEN = "SELECT max(seen_at) FROM witnessed_heads";

    private HubWitness() {
    }

    /** How much one hub database vouched for. */
    record Counts(long sentEvents, long heads) {
    }

    /** One outbox row the broker acknowledged. */
    private record Sent(long seq, String id, String payload, Instant sentAt) {
    }

    /** One chain head the hub saw published; {@code seenAt} as stored, for the finding. */
    private record Head(long position, String hash, String seenAt) {
    }

    /** The wrong file given as --hub-db (the coordinator's own, a text file) is the user's mistake, said in one line. */
    private static void requireHubDatabase(Handle hub, String name) {
        boolean hasOutbox;
        try {
            hasOutbox = Dialect.SQLITE.hasTable(hub, "outbox");
        } catch (SQLException | RuntimeException e) {
            hasOutbox = false; // SQLite's "file is not a database"
        }
        if (!hasOutbox) {
            throw new IllegalArgumentException(name + " is not a classroom hub's database (it has no outbox table)");
        }
    }

    static Optional<EvidenceCheck.Finding> check(Handle log, Path hubDb, long[] counted) throws SQLException {
        if (!Files.isReadable(hubDb)) {
            throw new IllegalArgumentException("cannot read hub database " + hubDb);
        }
        Map<String, Long> purgedUpTo = purgedSeqs(log);
        long firstKept = EventLog.firstPosition(log);
        Map<Long, String> purgeHashes = purgeHashes(log);
        String name = hubDb.toString();
        try (Handle hub = SqlTypes.open(DriverManager.getConnection("jdbc:sqlite:file:" + hubDb.toAbsolutePath() + "?mode=ro"))) {
            requireHubDatabase(hub, name);
            boolean keepsHeads = Dialect.SQLITE.hasTable(hub, "witnessed_heads");
            Instant lastWitnessed = keepsHeads ? hub.createQuery(LAST_SEEN).mapTo(Instant.class).findOne().orElse(null) : null;
            try (ResultIterator<Sent> sent = hub.createQuery(SENT)
                    .map((rs, ctx) -> new Sent(rs.getLong(1), rs.getString(2), rs.getString(3),
                            ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, 4, ctx)))
                    .iterator()) {
                while (sent.hasNext()) {
                    Sent s = sent.next();
                    if (EventLog.logged(log, s.id())) {
                        counted[0]++;
                        continue;
                    }
                    JsonNode event = Json.parse(s.payload().getBytes(StandardCharsets.UTF_8));
                    String room = event.path("site").asText() + "/" + event.path("room").asText();
                    if (s.seq() <= purgedUpTo.getOrDefault(room, 0L)) {
                        continue; // removed by a retention purge, which the chain records
                    }
                    // The broker's PUBACK marks it sent: it may still be on its way to a stopped coordinator.
                    // It is missing, not late, once a later event of the hub is logged or the hub saw a head
                    // published a minute after it sent this one.
                    boolean late = lastWitnessed != null && lastWitnessed.isAfter(s.sentAt().plusSeconds(60));
                    if (!late && EventLog.highestSeq(log, event.path("site").asText(), event.path("room").asText()) <= s.seq()) {
                        continue;
                    }
                    return Optional.of(new EvidenceCheck.Finding("events", "event " + s.id() + " (seq " + s.seq() + " of "
                            + room + ")", "hub database " + name + " marked it sent and the coordinator took it, but it is not in the log"));
                }
            }
            if (!keepsHeads) {
                return Optional.empty(); // a hub from before it kept heads
            }
            long highestWitnessed = hub.createQuery(HIGHEST_WITNESSED).mapTo(Long.class).one();
            long lastPurgeAt = EventLog.lastPositionOf(log, StaffDecisions.PURGED);
            try (ResultIterator<Head> heads = hub.createQuery(HEADS)
                    .map((rs, ctx) -> new Head(rs.getLong(1), rs.getString(2), rs.getString(3)))
                    .iterator()) {
                while (heads.hasNext()) {
                    Head head = heads.next();
                    String row = "position " + head.position();
                    if (head.position() < firstKept) {
                        // Only a purge the hub saw happen may take rows it witnessed: one appended by hand at
                        // the tail, after every head this hub kept, is not.
                        if (highestWitnessed < lastPurgeAt) {
                            return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed this"
                                    + " position, which a purge removed, but never saw a head at or after that purge's record (position "
                                    + lastPurgeAt + ")"));
                        }
                        String checkpoint = purgeHashes.get(head.position());
                        if (checkpoint != null && !checkpoint.equals(head.hash())) {
                            return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed hash "
                                    + head.hash() + " here (seen " + head.seenAt() + "); the purge's checkpoint says " + checkpoint));
                        }
                        counted[1]++;
                        continue; // purged: the checkpoint's own head is what the hub can still vouch for
                    }
                    Optional<String> logged = EventLog.hashAt(log, head.position());
                    if (logged.isEmpty()) {
                        return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed the log's head here (seen "
                                + head.seenAt() + "), but the log has no row at this position: it was cut short"));
                    }
                    if (!head.hash().equals(logged.get())) {
                        return Optional.of(new EvidenceCheck.Finding("events", row, "hub database " + name + " witnessed hash " + head.hash()
                                + " here (seen " + head.seenAt() + "); the log has " + logged.get() + ": it was rewritten"));
                    }
                    counted[1]++;
                }
            }
        }
        return Optional.empty();
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
        for (String payload : EventLog.payloadsOf(c, StaffDecisions.PURGED)) {
            out.add(Json.parse(payload.getBytes(StandardCharsets.UTF_8)).path("data"));
        }
        return out;
    }
}
