package haven.classroom.isolation;

import haven.protocol.Json;
import haven.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The hub's active isolations, in its SQLite file (migration hub/V2). A machine has at most one active
 * row (keyed by MAC); the row is written before the backend acts, so a crash between "asked" and
 * "applied" still re-applies at the next start: a reboot must never silently release a machine.
 */
public final class IsolationStore {

    /**
     * One machine that must stay isolated.
     *
     * @param appliedAt when the isolation was first asked for (kept across re-applies)
     * @param applied   whether the last attempt was carried out by the backend
     * @param verified  whether the last attempt was verified
     */
    public record ActiveIsolation(long id, Machine machine, String backend, Instant appliedAt,
                                  boolean applied, boolean verified, Optional<String> failure) {
    }

    private final Database db;
    private final Clock clock;

    public IsolationStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Marks the machine as to-be-isolated; idempotent. If it is already active, the row (and its original
     * {@code applied_at}) is kept and only name, IP and backend are brought up to date.
     *
     * @return the row id of the active isolation
     */
    public long recordActive(Machine machine, String backend) throws SQLException {
        String now = Json.time(clock.instant());
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO isolations(machine_name, mac, ip, backend, applied_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(mac) WHERE released_at IS NULL
                    DO UPDATE SET machine_name = excluded.machine_name, ip = excluded.ip,
                                  backend = excluded.backend, updated_at = excluded.updated_at
                    """)) {
                ps.setString(1, machine.name());
                ps.setString(2, machine.mac());
                ps.setString(3, machine.ip());
                ps.setString(4, backend);
                ps.setString(5, now);
                ps.setString(6, now);
                ps.executeUpdate();
            }
            return activeId(c, machine.mac()).orElseThrow(() -> new SQLException("isolation row for " + machine.name() + " vanished"));
        });
    }

    /** Records what the backend did on the active row for the result's machine; false if none is active. */
    public boolean recordOutcome(IsolationResult result) throws SQLException {
        String now = Json.time(clock.instant());
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE isolations SET backend = ?, applied = ?, verified = ?, handle = ?, evidence = ?,
                                          failure = ?, updated_at = ?
                    WHERE mac = ? AND released_at IS NULL
                    """)) {
                ps.setString(1, result.backend());
                ps.setInt(2, result.applied() ? 1 : 0);
                ps.setInt(3, result.verified() ? 1 : 0);
                ps.setString(4, result.handle());
                ps.setString(5, result.evidence());
                ps.setString(6, result.failure());
                ps.setString(7, now);
                ps.setString(8, result.machine().mac());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Ends the machine's active isolation; false if it had none. The row is kept as history. */
    public boolean markReleased(Machine machine) throws SQLException {
        String now = Json.time(clock.instant());
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE isolations SET released_at = ?, updated_at = ? WHERE mac = ? AND released_at IS NULL")) {
                ps.setString(1, now);
                ps.setString(2, now);
                ps.setString(3, machine.mac());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Every machine that must stay isolated, oldest first. */
    public List<ActiveIsolation> active() throws SQLException {
        return db.read(c -> {
            List<ActiveIsolation> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, machine_name, mac, ip, backend, applied_at, applied, verified, failure
                    FROM isolations WHERE released_at IS NULL ORDER BY id
                    """);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Machine machine;
                    try {
                        machine = new Machine(rs.getString(2), rs.getString(3), rs.getString(4));
                    } catch (IllegalArgumentException e) {
                        throw new SQLException("isolations row " + rs.getLong(1) + " is not a valid machine: " + e.getMessage(), e);
                    }
                    out.add(new ActiveIsolation(rs.getLong(1), machine, rs.getString(5),
                            Json.parseTime("applied_at", rs.getString(6)), rs.getInt(7) == 1, rs.getInt(8) == 1,
                            Optional.ofNullable(rs.getString(9))));
                }
            }
            return out;
        });
    }

    private static Optional<Long> activeId(Connection c, String mac) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM isolations WHERE mac = ? AND released_at IS NULL")) {
            ps.setString(1, mac);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }
}
