package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import haven.store.Database;

import haven.protocol.Json;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;

/** Who looked at or changed what, and when (data protection: access to safeguarding data is audited). */
public final class AuditLog {
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
        String prev = EventLog.GENESIS;
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1");
             java.sql.ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                prev = rs.getString(1);
            }
        }
        String at = Json.time(clock.instant());
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "INSERT INTO audit(at, actor, action, target, prev_hash, hash) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, at);
            ps.setString(2, actor);
            ps.setString(3, action);
            ps.setString(4, target);
            ps.setString(5, prev);
            ps.setString(6, EventLog.chain(prev, canonical(at, actor, action, target)));
            ps.executeUpdate();
        }
        return null;
    }

    /** The newest {@code limit} rows, newest first, as the audit trail view shows them. */
    public java.util.List<com.fasterxml.jackson.databind.node.ObjectNode> latest(Handle c, int limit) throws SQLException {
        java.util.List<com.fasterxml.jackson.databind.node.ObjectNode> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT at, actor, action, target FROM audit ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.object().put("at", rs.getString(1)).put("actor", rs.getString(2))
                            .put("action", rs.getString(3)).put("target", rs.getString(4)));
                }
            }
        }
        return out;
    }

    /** What an audit row's hash covers: every column a person reads. */
    public static String canonical(String at, String actor, String action, String target) {
        return Json.canonical(Json.object().put("at", at).put("actor", actor).put("action", action).put("target", target));
    }
}
