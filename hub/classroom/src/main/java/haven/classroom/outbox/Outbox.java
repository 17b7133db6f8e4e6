package haven.classroom.outbox;

import haven.protocol.Command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's store-and-forward queue. An event is committed (WAL, synchronous=FULL) before its first
 * publish and marked sent only after the broker's PUBACK, so a crash, a broker outage or a dead network
 * loses nothing. If the disk refuses the write (full, read-only), the event is held in memory, the
 * condition is reported, and it is written through as soon as the disk accepts it again: safeguarding
 * evidence is never silently dropped.
 */
public final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /** An event waiting for its PUBACK, in the form it will be sent. */
    public record Pending(long seq, String id, String topic, byte[] payload) {
    }

    private static final class Held {
        final Pending pending;
        final String createdAt;
        String sentAt;

        Held(Pending pending, String createdAt) {
            this.pending = pending;
            this.createdAt = createdAt;
        }
    }

    private final Database db;
    private final EventCodec codec;
    private final UuidV7 ids;
    private final Clock clock;
    private final RoomId room;
    private final List<Held> held = new ArrayList<>();
    private long nextSeq;
    private String condition;

    public Outbox(Database db, EventCodec codec, UuidV7 ids, Clock clock, RoomId room) throws SQLException {
        this.db = db;
        this.codec = codec;
        this.ids = ids;
        this.clock = clock;
        this.room = room;
        this.nextSeq = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM outbox");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }) + 1;
    }

    /** Creates the next event of this hub and makes it durable (or holds it, if the disk refuses). */
    public synchronized Event append(EventType type, ObjectNode data) {
        Event event = new Event(ids.next().toString(), nextSeq++, type, room, clock.instant(), data);
        Held entry = new Held(new Pending(event.seq(), event.id(), event.topic(), codec.encode(event)),
                Json.time(event.at()));
        if (held.isEmpty() && tryWrite(List.of(entry))) {
            return event;
        }
        // Keep order: once anything is held, later events queue behind it in memory.
        held.add(entry);
        if (!tryWriteHeld()) {
            log.error("outbox write failed, event held in memory seq={} type={} held={}", event.seq(), type.wire(), held.size());
        }
        return event;
    }

    /** Retries writing held events to disk; returns true when nothing is held any more. */
    public synchronized boolean tryWriteHeld() {
        if (held.isEmpty()) {
            return true;
        }
        if (tryWrite(held)) {
            log.info("outbox recovered, held events written count={}", held.size());
            held.clear();
            return true;
        }
        return false;
    }

    private boolean tryWrite(List<Held> entries) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT OR IGNORE INTO outbox(seq, id, topic, payload, created_at, sent_at) VALUES (?,?,?,?,?,?)")) {
                    for (Held h : entries) {
                        ps.setLong(1, h.pending.seq());
                        ps.setString(2, h.pending.id());
                        ps.setString(3, h.pending.topic());
                        ps.setString(4, new String(h.pending.payload(), StandardCharsets.UTF_8));
                        ps.setString(5, h.createdAt);
                        ps.setString(6, h.sentAt);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
            condition = null;
            return true;
        } catch (SQLException e) {
            condition = "outbox-write-failed: " + e.getMessage();
            log.error("outbox write failed db={} reason={}", db.file(), e.getMessage());
            return false;
        }
    }

    /** Unsent events in {@code seq} order, oldest first: what the publisher drains. */
    public synchronized List<Pending> pending(int limit) {
        List<Pending> out = new ArrayList<>();
        try {
            db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT seq, id, topic, payload FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?")) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3),
                                    rs.getString(4).getBytes(StandardCharsets.UTF_8)));
                        }
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            log.error("outbox read failed db={} reason={}", db.file(), e.getMessage());
        }
        for (Held h : held) {
            if (h.sentAt == null) {
                out.add(h.pending);
            }
        }
        out.sort(Comparator.comparingLong(Pending::seq));
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    /** Called on PUBACK. A held event keeps its place in memory until it can be written, as sent. */
    public void markSent(long seq) {
        markSent(List.of(seq));
    }

    /**
     * Marks a window of acknowledged events in one transaction: one fsync for the window rather than one
     * per event, which is what makes a backlog drain quickly on an SD card.
     */
    public synchronized void markSent(List<Long> seqs) {
        String now = Json.time(clock.instant());
        List<Long> onDisk = new ArrayList<>();
        for (long seq : seqs) {
            Held inMemory = held.stream().filter(h -> h.pending.seq() == seq).findFirst().orElse(null);
            if (inMemory != null) {
                inMemory.sentAt = now;
            } else {
                onDisk.add(seq);
            }
        }
        if (onDisk.isEmpty()) {
            return;
        }
        try {
            db.read(c -> markWithoutFsync(c, onDisk, now));
        } catch (SQLException e) {
            // Not fatal: the events will be sent again and the coordinator ignores the duplicate ids.
            log.warn("outbox mark-sent failed seqs={} reason={}", onDisk.size(), e.getMessage());
        }
    }

    /**
     * The mark is the one write on the hub that may skip its fsync: in WAL mode with synchronous=NORMAL a
     * commit cannot corrupt the file, it is only not yet forced to disk, and the next event's FULL commit
     * forces it along. A mark lost to a power cut only makes the event go again, which the coordinator
     * de-duplicates by id (docs/RELIABILITY.md). It saves one fsync per event on the SD card, where the next
     * press's own commit would otherwise queue behind it. Runs under the connection lock, so no other
     * transaction sees the relaxed setting.
     */
    private static Void markWithoutFsync(Connection c, List<Long> seqs, String now) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("PRAGMA synchronous=NORMAL");
        }
        try {
            c.setAutoCommit(false);
            try {
                update(c, seqs, now);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } finally {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("PRAGMA synchronous=FULL");
            }
        }
        return null;
    }

    private static Void update(Connection c, List<Long> seqs, String now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL")) {
            for (long seq : seqs) {
                ps.setString(1, now);
                ps.setLong(2, seq);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return null;
    }

    public synchronized long unsentCount() {
        long inMemory = held.stream().filter(h -> h.sentAt == null).count();
        try {
            return inMemory + db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE sent_at IS NULL");
                     ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            });
        } catch (SQLException e) {
            return inMemory;
        }
    }

    /** The highest seq committed (or held) so far; 0 before the first event. */
    public synchronized long lastSeq() {
        return nextSeq - 1;
    }

    /** Limit on one resend request: the contract's, see {@link Command#MAX_RESEND}. */
    public static final int MAX_RESEND = Command.MAX_RESEND;

    /**
     * Marks events in [from, to] unsent again, so the publisher sends them once more in seq order.
     * Returns how many the hub still had. The coordinator ignores any it already has, by id.
     */
    public synchronized int resend(long from, long to) {
        if (from < 1 || to < from || to - from >= MAX_RESEND) {
            throw new IllegalArgumentException("resend range must be 1 <= from <= to and at most " + MAX_RESEND
                    + " events, got " + from + ".." + to);
        }
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE outbox SET sent_at = NULL WHERE seq BETWEEN ? AND ? AND sent_at IS NOT NULL")) {
                    ps.setLong(1, from);
                    ps.setLong(2, to);
                    return ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            log.warn("outbox resend failed from={} to={} reason={}", from, to, e.getMessage());
            return 0;
        }
    }

    public synchronized int heldInMemory() {
        return held.size();
    }

    /** Why the outbox is degraded (e.g. the disk is full), or empty when all is well. */
    public synchronized Optional<String> condition() {
        return Optional.ofNullable(condition);
    }
}
