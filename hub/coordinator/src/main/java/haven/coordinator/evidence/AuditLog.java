package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import haven.store.Database;

import haven.protocol.Json;
import java.sql.SQLException;
import java.time.Clock;

/**
 * Who looked at or changed what, and when (data protection: access to safeguarding data is audited).
 * Owns the {@code audit} table.
 */
public final class AuditLog {
    private static final String LAST_HASH = "SELECT hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1";
    private static final String INSERT = """
            INSERT INTO audit(at, actor, action, target, prev_hash, hash)
            VALUES (:at, :actor, :action, :target, :prevHash, :hash)""";
    private static final String LATEST = "SELECT at, actor, action, target FROM audit ORDER BY id DESC LIMIT :limit";
    private final Database db;
    private final Clock clock;

    public AuditLog(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void record(String actor, String action, String target) throws SQLException {
        db.transaction(c -> record(c, actor, action, target));
    }

    /**
     * Inside the caller's transaction, so the audit row and the action commit together. Chained like the
     * event log: hash = SHA-256(previous audit hash + "\n" + {@link #canonical}), checked by verify-log.
     */
    public Void record(Handle c, String actor, String action, String target) throws SQLException {
        haven.store.Dialect.of(c).lockEventLog(c);
        String prev = c.createQuery(LAST_HASH).mapTo(String.class).findOne().orElse(EventLog.GENESIS);
        String at = Json.time(clock.instant());
        c.createUpdate(INSERT).bind("at", at).bind("actor", actor).bind("action", action).bind("target", target)
                .bind("prevHash", prev).bind("hash", EventLog.chain(prev, canonical(at, actor, action, target)))
                .execute();
        return null;
    }

    /** The newest {@code limit} rows, newest first, as the audit trail view shows them. */
    public java.util.List<Row> latest(Handle c, int limit) throws SQLException {
        return c.createQuery(LATEST).bind("limit", limit)
                .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
    }

    /** One audit row as the audit page reads it; {@code at} is the text the row holds (and its hash covers). */
    public record Row(String at, String actor, String action, String target) {
    }

    /** What an audit row's hash covers: every column a person reads. */
    public static String canonical(String at, String actor, String action, String target) {
        return Json.canonical(Json.object().put("at", at).put("actor", actor).put("action", action).put("target", target));
    }
}
