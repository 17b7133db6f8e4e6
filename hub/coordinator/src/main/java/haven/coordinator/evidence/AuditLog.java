package haven.coordinator.evidence;

import haven.store.Database;

import haven.protocol.Json;
import java.sql.Connection;
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
        db.inTransaction(c -> record(c, actor, action, target));
    }

    /** Inside the caller's transaction, so the audit row and the action commit together. */
    public Void record(Connection c, String actor, String action, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit(at, actor, action, target) VALUES (?,?,?,?)")) {
            ps.setString(1, Json.time(clock.instant()));
            ps.setString(2, actor);
            ps.setString(3, action);
            ps.setString(4, target);
            ps.executeUpdate();
        }
        return null;
    }
}
