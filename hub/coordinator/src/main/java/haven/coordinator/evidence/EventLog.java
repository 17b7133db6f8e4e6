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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The coordinator's evidence log: append-only (triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL) and hash-chained,
 * each row's hash = SHA-256(previous hash + "\n" + canonical JSON of the event). Changing, removing or
 * reordering any row breaks every hash after it, which {@link #verify} reports.
 */
public final class EventLog {
    public static final String GENESIS = "0".repeat(64);

    private final EventCodec codec;

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
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT 1 FROM events WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return false;
                }
            }
        }
        // A retention purge that took every row leaves only its checkpoint: the chain goes on from there, as verify does.
        String prev = null;
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT hash FROM events ORDER BY pos DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                prev = rs.getString(1);
            }
        }
        if (prev == null) {
            prev = checkpoint(c).orElse(GENESIS);
        }
        String canonical = Json.canonical(json);
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO events(id, site, room, seq, type, at, received_at, payload, prev_hash, hash)
                VALUES (?,?,?,?,?,?,?,?,?,?)""")) {
            ps.setString(1, id);
            ps.setString(2, room.site());
            ps.setString(3, room.room());
            ps.setLong(4, seq);
            ps.setString(5, type);
            ps.setString(6, Json.time(at));
            ps.setString(7, Json.time(receivedAt));
            ps.setString(8, canonical);
            ps.setString(9, prev);
            ps.setString(10, chain(prev, canonical));
            ps.executeUpdate();
        }
        return true;
    }

    /** The hash of the last row removed by a retention purge, where the remaining chain starts. */
    static Optional<String> checkpoint(Handle c) throws SQLException {
        if (!Dialect.of(c).hasTable(c, "chain_checkpoints")) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT hash FROM chain_checkpoints ORDER BY up_to_pos DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
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
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT pos, id, payload, prev_hash, hash FROM events ORDER BY pos");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long pos = rs.getLong(1);
                String id = rs.getString(2);
                String payload = rs.getString(3);
                if (!prev.equals(rs.getString(4))) {
                    return new Verification(checked, Optional.of(new Break(pos, id, "previous hash does not match the row before")));
                }
                String expected = chain(prev, payload);
                if (!expected.equals(rs.getString(5))) {
                    return new Verification(checked, Optional.of(new Break(pos, id, "hash does not match the event's content")));
                }
                String payloadId = Json.parse(payload.getBytes(StandardCharsets.UTF_8)).path("id").asText();
                if (!payloadId.equals(id)) {
                    return new Verification(checked, Optional.of(new Break(pos, id, "id column does not match the logged event")));
                }
                prev = expected;
                checked++;
            }
        }
        return new Verification(checked, Optional.empty());
    }
}
