package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;

import haven.store.Dialect;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.result.ResultIterator;

/**
 * The coordinator's evidence log: append-only (triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL) and hash-chained,
 * each row's hash = SHA-256(previous hash + "\n" + canonical JSON of the event). Changing, removing or
 * reordering any row breaks every hash after it, which {@link #verify} reports. Owns the {@code events} table
 * and the two that guard its start: {@code chain_checkpoints} (where the chain goes on after a retention
 * purge) and {@code purge_in_progress} (the flag the delete trigger lets a purge through with).
 */
public final class EventLog {
    public static final String GENESIS = "0".repeat(64);

    private static final String LOGGED = "SELECT 1 FROM events WHERE id = :id";
    /** What an append reads, in one statement (issue 20): whether the id is logged (NULL if not), and the head's hash. */
    private static final String LOGGED_AND_HEAD = """
            SELECT (SELECT 1 FROM events WHERE id = :id), (SELECT hash FROM events ORDER BY pos DESC LIMIT 1)""";
    private static final String INSERT = """
            INSERT INTO events(id, site, room, seq, type, at, received_at, payload, prev_hash, hash)
            VALUES (:id, :site, :room, :seq, :type, :at, :receivedAt, :payload, :prevHash, :hash)""";
    private static final String CHAIN = "SELECT pos, id, payload, prev_hash, hash FROM events ORDER BY pos";
    private static final String STORED_COLUMNS = "SELECT pos, id, site, room, seq, type, at, payload FROM events ORDER BY pos";
    private static final String HASH_AT = "SELECT hash FROM events WHERE pos = :pos";
    private static final String FIRST_POSITION = "SELECT min(pos) FROM events";
    private static final String LAST_OF_TYPE = "SELECT coalesce(max(pos), 0) FROM events WHERE type = :type";
    private static final String HIGHEST_SEQ = "SELECT coalesce(max(seq), 0) FROM events WHERE site = :site AND room = :room";
    private static final String PAYLOADS_OF_TYPE = "SELECT payload FROM events WHERE type = :type ORDER BY pos";
    private static final String OF_TYPES = "SELECT type, at, payload FROM events WHERE type IN (<types>) ORDER BY pos";
    private static final String PURGED_SEQS = """
            SELECT site, room, max(seq) FROM events WHERE pos < :firstKept AND seq > 0
            GROUP BY site, room ORDER BY site, room""";
    private static final String HASH_BEFORE = "SELECT hash FROM events WHERE pos < :firstKept ORDER BY pos DESC LIMIT 1";
    private static final String DELETE_BEFORE = "DELETE FROM events WHERE pos < :firstKept";
    private static final String PURGE_FLAG_ON = "INSERT INTO purge_in_progress(started_at) VALUES (:at)";
    private static final String PURGE_FLAG_OFF = "DELETE FROM purge_in_progress";
    private static final String PURGE_FLAGS = "SELECT count(*) FROM purge_in_progress";
    private static final String CHECKPOINT_HASH = "SELECT hash FROM chain_checkpoints ORDER BY up_to_pos DESC LIMIT 1";
    private static final String LATEST_CHECKPOINT =
            "SELECT id, up_to_pos, hash, purged_events FROM chain_checkpoints ORDER BY up_to_pos DESC LIMIT 1";
    private static final String INSERT_CHECKPOINT = """
            INSERT INTO chain_checkpoints(up_to_pos, hash, purged_events, at) VALUES (:upToPos, :hash, :events, :at)""";

    private final EventCodec codec;

    /** Whether an id is logged already, and the hash of the log's last row (null when it has none). */
    private record LoggedAndHead(boolean logged, String head) {
    }

    public EventLog(EventCodec codec) {
        this.codec = codec;
    }

    /** Appends inside the caller's transaction; false (and nothing written) if the id is already logged. */
    public boolean append(Handle c, Event event, Instant receivedAt) throws SQLException {
        return append(c, event.id(), event.room(), event.seq(), event.type().wire(), event.at(), codec.toJson(event), receivedAt);
    }

    /**
     * Appends a record the coordinator itself makes (an alert's send attempt) inside the caller's transaction,
     * chained like a hub's event. Its seq is 0, never a hub's number (hubs count from 1).
     */
    public boolean append(Handle c, CoordinatorRecord record, Instant receivedAt) throws SQLException {
        return append(c, record.id(), record.room(), 0, record.type(), record.at(), record.toJson(), receivedAt);
    }

    private boolean append(Handle c, String id, RoomId room, long seq, String type, Instant at, ObjectNode json,
                           Instant receivedAt) throws SQLException {
        // One writer at a time reads the head and links to it, or two coordinators would fork the chain.
        Dialect.of(c).lockEventLog(c);
        LoggedAndHead read = c.createQuery(LOGGED_AND_HEAD).bind("id", id)
                .map((rs, ctx) -> new LoggedAndHead(rs.getString(1) != null, rs.getString(2)))
                .one();
        if (read.logged()) {
            return false;
        }
        // A retention purge that took every row leaves only its checkpoint: the chain goes on from there, as verify does.
        String prev = read.head();
        if (prev == null) {
            prev = checkpoint(c).orElse(GENESIS);
        }
        String canonical = Json.canonical(json);
        c.createUpdate(INSERT)
                .bind("id", id)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("seq", seq)
                .bind("type", type)
                .bind("at", at)
                .bind("receivedAt", receivedAt)
                .bind("payload", canonical)
                .bind("prevHash", prev)
                .bind("hash", chain(prev, canonical))
                .execute();
        return true;
    }

    /** The hash of the last row removed by a retention purge, where the remaining chain starts. */
    static Optional<String> checkpoint(Handle c) throws SQLException {
        if (!Dialect.of(c).hasTable(c, "chain_checkpoints")) {
            return Optional.empty();
        }
        return c.createQuery(CHECKPOINT_HASH).mapTo(String.class).findOne();
    }

    public static String chain(String previousHash, String canonicalJson) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '\n');
            sha.update(canonicalJson.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /** The first row that breaks the chain, if any. */
    public record Break(long position, String eventId, String reason) {
    }

    public record Verification(long checked, Optional<Break> firstBreak) {
        public boolean intact() {
            return firstBreak.isEmpty();
        }
    }

    public static Verification verify(Handle c) throws SQLException {
        String prev = checkpoint(c).orElse(GENESIS);
        long checked = 0;
        try (ResultIterator<Linked> rows = c.createQuery(CHAIN)
                .map((rs, ctx) -> new Linked(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .iterator()) {
            while (rows.hasNext()) {
                Linked row = rows.next();
                if (!prev.equals(row.prevHash())) {
                    return new Verification(checked, Optional.of(new Break(row.pos(), row.id(), "previous hash does not match the row before")));
                }
                String expected = chain(prev, row.payload());
                if (!expected.equals(row.hash())) {
                    return new Verification(checked, Optional.of(new Break(row.pos(), row.id(), "hash does not match the event's content")));
                }
                String payloadId = Json.parse(row.payload().getBytes(StandardCharsets.UTF_8)).path("id").asText();
                if (!payloadId.equals(row.id())) {
                    return new Verification(checked, Optional.of(new Break(row.pos(), row.id(), "id column does not match the logged event")));
                }
                prev = expected;
                checked++;
            }
        }
        return new Verification(checked, Optional.empty());
    }

    /** One row as the chain covers it. */
    private record Linked(long pos, String id, String payload, String prevHash, String hash) {
    }

    /** One row with the columns stored beside its hashed payload, as the evidence check compares them. */
    record StoredRow(long pos, String id, String site, String room, long seq, String type, String at, String payload) {
    }

    /** A row visitor that may stop the walk: a non-empty answer ends it and is returned. */
    @FunctionalInterface
    interface Visitor<R, T> {
        Optional<T> visit(R row) throws SQLException;
    }

    /** Walks every row in log order with the columns stored beside the payload; stops at the first answer. */
    static <T> Optional<T> eachStored(Handle c, Visitor<StoredRow, T> visitor) throws SQLException {
        try (ResultIterator<StoredRow> rows = c.createQuery(STORED_COLUMNS)
                .map((rs, ctx) -> new StoredRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                        rs.getString(6), rs.getString(7), rs.getString(8)))
                .iterator()) {
            while (rows.hasNext()) {
                Optional<T> answer = visitor.visit(rows.next());
                if (answer.isPresent()) {
                    return answer;
                }
            }
        }
        return Optional.empty();
    }

    /** True if an event with this id is in the log. */
    static boolean logged(Handle c, String id) {
        return c.createQuery(LOGGED).bind("id", id).mapTo(Integer.class).findOne().isPresent();
    }

    /** The hash of the row at this position, if the log still has one there. */
    static Optional<String> hashAt(Handle c, long position) {
        return c.createQuery(HASH_AT).bind("pos", position).mapTo(String.class).findOne();
    }

    /** The first position still in the log (after purges), or {@link Long#MAX_VALUE} for an empty log. */
    static long firstPosition(Handle c) {
        return c.createQuery(FIRST_POSITION).mapTo(Long.class).findOne().orElse(Long.MAX_VALUE);
    }

    /** The position of the newest record of this type, or 0 if there is none. */
    static long lastPositionOf(Handle c, String type) {
        return c.createQuery(LAST_OF_TYPE).bind("type", type).mapTo(Long.class).one();
    }

    /** The highest seq logged for a hub's room, or 0. */
    static long highestSeq(Handle c, String site, String room) {
        return c.createQuery(HIGHEST_SEQ).bind("site", site).bind("room", room).mapTo(Long.class).one();
    }

    /** The payloads of every record of one type, in log order. */
    static List<String> payloadsOf(Handle c, String type) {
        return c.createQuery(PAYLOADS_OF_TYPE).bind("type", type).mapTo(String.class).list();
    }

    /** One record as read back by type: its type, its {@code at} as stored, its canonical payload. */
    public record Entry(String type, String at, String payload) {
    }

    /** Every record of these types, in log order. */
    public static List<Entry> ofTypes(Handle c, List<String> types) throws SQLException {
        return c.createQuery(OF_TYPES).bindList("types", types)
                .map((rs, ctx) -> new Entry(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    /** A hub room's highest seq among the rows before a position: what a purge cut up to removes of it. */
    public record PurgedSeq(String site, String room, long upToSeq) {
    }

    public static List<PurgedSeq> purgedSeqs(Handle c, long firstKept) throws SQLException {
        return c.createQuery(PURGED_SEQS).bind("firstKept", firstKept)
                .map((rs, ctx) -> new PurgedSeq(rs.getString(1), rs.getString(2), rs.getLong(3)))
                .list();
    }

    /** The hash of the last row before a position: the checkpoint the chain goes on from once they are cut. */
    public static Optional<String> hashBefore(Handle c, long firstKept) throws SQLException {
        return c.createQuery(HASH_BEFORE).bind("firstKept", firstKept).mapTo(String.class).findOne();
    }

    /**
     * Cuts the start of the log (every row before {@code firstKept}) inside the caller's purge transaction,
     * which holds the log's lock: the guard flag is raised only for the delete, and the checkpoint left
     * records where the remaining chain starts. Returns how many rows went.
     */
    public static int cutBefore(Handle c, long firstKept, String lastHash, Instant at) throws SQLException {
        c.createUpdate(PURGE_FLAG_ON).bind("at", at).execute();
        int events = c.createUpdate(DELETE_BEFORE).bind("firstKept", firstKept).execute();
        c.createUpdate(PURGE_FLAG_OFF).execute();
        c.createUpdate(INSERT_CHECKPOINT)
                .bind("upToPos", firstKept - 1)
                .bind("hash", lastHash)
                .bind("events", events)
                .bind("at", at)
                .execute();
        return events;
    }

    /** Rows in the purge guard's flag table; any outside a purge's own transaction means the guard is off. */
    static long purgeFlags(Handle c) throws SQLException {
        if (!Dialect.of(c).hasTable(c, "purge_in_progress")) {
            return 0;
        }
        return c.createQuery(PURGE_FLAGS).mapTo(Long.class).one();
    }

    /** The latest retention checkpoint, as a row of its table. */
    record Checkpoint(long id, long upToPosition, String hash, long purgedEvents) {
    }

    /** True once a retention purge has cut the start of the log. */
    public static boolean everCut(Handle c) throws SQLException {
        return latestCheckpoint(c).isPresent();
    }

    static Optional<Checkpoint> latestCheckpoint(Handle c) throws SQLException {
        if (!Dialect.of(c).hasTable(c, "chain_checkpoints")) {
            return Optional.empty();
        }
        return c.createQuery(LATEST_CHECKPOINT)
                .map((rs, ctx) -> new Checkpoint(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4)))
                .findOne();
    }
}
