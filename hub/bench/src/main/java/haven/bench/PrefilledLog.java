package haven.bench;

import haven.coordinator.evidence.EventLog;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;

/**
 * A coordinator database whose log already holds {@code n} events over the bench's rooms, built in a few
 * big transactions rather than through ingest (which is what is being measured). The rows are the real
 * format: the coordinator's migrations make the file, each payload is {@link Json#canonical} of
 * {@link EventCodec#toJson}, and each hash is {@link EventLog#chain} of the previous one, so
 * {@link EventLog#verify} passes on the result. The events are key-switch changes (a school's commonest
 * event, and one that opens no incident), seq rising per room from 1; {@code rooms.last_seq} is set to
 * each room's highest seq, as ingest would leave it. The measured events then continue each room's seq.
 *
 * <p>If the coordinator's schema grows other per-room state derived from the log, it must be filled here
 * too, or the prefilled run starts from a state ingest would never leave.
 */
final class PrefilledLog {
    private static final int PER_TRANSACTION = 50_000;

    private PrefilledLog() {
    }

    /** Writes the events and returns each room's highest seq (index = room - 1). */
    static long[] build(Path file, int n, int rooms, String prefix, Clock clock) throws SQLException {
        try (Database migrated = Database.open(file, "db/coordinator")) {
            // the schema only; the rows go in over a plain connection below
        }
        EventCodec codec = new EventCodec();
        UuidV7 ids = new UuidV7(clock);
        long[] seq = new long[rooms];
        String prev = EventLog.GENESIS;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            try (Statement st = c.createStatement()) {
                // A scratch build: if the machine dies the bench starts again. The measured run uses the
                // coordinator's own connection, with synchronous=FULL.
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=OFF");
                try (var rs = st.executeQuery("SELECT count(*) FROM events")) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        throw new IllegalStateException("prefill needs an empty log, " + file + " has events");
                    }
                }
            }
            c.setAutoCommit(false);
            Instant at = clock.instant().minusSeconds(n);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO events(id, site, room, seq, type, at, received_at, payload, prev_hash, hash)
                    VALUES (?,?,?,?,?,?,?,?,?,?)""")) {
                for (int i = 0; i < n; i++) {
                    int r = i % rooms;
                    Instant when = at.plusSeconds(i);
                    Event e = new Event(ids.next().toString(), ++seq[r], EventType.SWITCH_CHANGED,
                            new RoomId(BenchConfigs.SITE, BenchConfigs.room(prefix, r + 1)), when, Json.object().put("on", seq[r] % 2 == 1));
                    String canonical = Json.canonical(codec.toJson(e));
                    String hash = EventLog.chain(prev, canonical);
                    ps.setString(1, e.id());
                    ps.setString(2, e.room().site());
                    ps.setString(3, e.room().room());
                    ps.setLong(4, e.seq());
                    ps.setString(5, e.type().wire());
                    ps.setString(6, Json.time(when));
                    ps.setString(7, Json.time(when));
                    ps.setString(8, canonical);
                    ps.setString(9, prev);
                    ps.setString(10, hash);
                    ps.addBatch();
                    prev = hash;
                    if ((i + 1) % PER_TRANSACTION == 0 || i == n - 1) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO rooms(site, room, online, since, last_seq, logged_seqs) VALUES (?,?,0,?,?,?)
                    ON CONFLICT(site, room) DO UPDATE SET last_seq = excluded.last_seq, logged_seqs = excluded.logged_seqs""")) {
                for (int r = 0; r < rooms; r++) {
                    ps.setString(1, BenchConfigs.SITE);
                    ps.setString(2, BenchConfigs.room(prefix, r + 1));
                    ps.setString(3, Json.time(at));
                    ps.setLong(4, seq[r]);
                    // Each room's seqs 1..n are all in the log: the per-room counter the gap check reads says so too,
                    // as it would after a live ingest of the same events.
                    ps.setLong(5, seq[r]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            try (Statement st = c.createStatement()) {
                c.setAutoCommit(true);
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }
        return seq;
    }

    /** Checks the chain the coordinator will extend: the prefill is only worth measuring if it verifies. */
    static EventLog.Verification verify(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            return EventLog.verify(haven.store.SqlTypes.borrow(c));
        }
    }
}
