package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.SignOff;
import haven.protocol.Event;
import haven.protocol.Json;
import haven.store.Dialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The isolations table: kept in step with the hubs' isolation.* events, plus the release sign-offs. */
public final class Isolations {

    /** Applies an isolation event inside the ingest transaction; returns the row it touched. */
    public Optional<IsolationView> apply(Handle c, Event event) throws SQLException {
        ObjectNode d = event.data();
        String machine = d.path("machine").asText("");
        if (machine.isEmpty()) {
            return Optional.empty();
        }
        String at = Json.time(event.at());
        switch (event.type()) {
            case ISOLATION_REQUESTED -> upsert(c, event, "requested", null, false, null);
            case ISOLATION_APPLIED -> upsert(c, event, d.path("backend").asText("").equals("manual") ? "manual" : "active",
                    at, d.path("verified").asBoolean(false), d.path("evidence").asText(""));
            case ISOLATION_FAILED -> {
                if (d.path("reason").asText("").startsWith("release failed")) {
                    note(c, event, d.path("reason").asText());
                } else {
                    upsert(c, event, "failed", null, false, d.path("reason").asText(""));
                }
            }
            case ISOLATION_RELEASED -> {
                try (PreparedStatement ps = c.getConnection().prepareStatement("""
                        UPDATE isolations SET status = 'released', released_at = ?
                        WHERE site = ? AND room = ? AND machine = ? AND status <> 'released'""")) {
                    ps.setString(1, at);
                    ps.setString(2, event.room().site());
                    ps.setString(3, event.room().room());
                    ps.setString(4, machine);
                    ps.executeUpdate();
                }
                return latest(c, event, machine);
            }
            default -> {
                return Optional.empty();
            }
        }
        return latest(c, event, machine);
    }

    private static void upsert(Handle c, Event e, String status, String appliedAt, boolean verified, String detail)
            throws SQLException {
        ObjectNode d = e.data();
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO isolations(site, room, machine, mac, ip, backend, status, verified, detail, requested_at, applied_at)
                VALUES (?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(site, room, machine) WHERE status <> 'released' DO UPDATE SET
                    status = CASE WHEN excluded.status = 'requested' THEN isolations.status ELSE excluded.status END,
                    backend = coalesce(excluded.backend, isolations.backend),
                    verified = %s,
                    detail = coalesce(excluded.detail, isolations.detail),
                    applied_at = coalesce(isolations.applied_at, excluded.applied_at)""".formatted(
                Dialect.of(c).greatest("isolations.verified", "excluded.verified")))) {
            ps.setString(1, e.room().site());
            ps.setString(2, e.room().room());
            ps.setString(3, d.path("machine").asText());
            ps.setString(4, d.path("mac").asText(""));
            ps.setString(5, d.path("ip").asText(""));
            ps.setString(6, d.hasNonNull("backend") ? d.get("backend").asText() : null);
            ps.setString(7, status);
            ps.setInt(8, verified ? 1 : 0);
            ps.setString(9, detail);
            ps.setString(10, Json.time(e.at()));
            ps.setString(11, appliedAt);
            ps.executeUpdate();
        }
    }

    private static void note(Handle c, Event e, String detail) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                UPDATE isolations SET detail = ?, release_requested_at = NULL
                WHERE site = ? AND room = ? AND machine = ? AND status <> 'released'""")) {
            ps.setString(1, detail);
            ps.setString(2, e.room().site());
            ps.setString(3, e.room().room());
            ps.setString(4, e.data().path("machine").asText());
            ps.executeUpdate();
        }
    }

    private static Optional<IsolationView> latest(Handle c, Event e, String machine) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + IsolationView.COLUMNS
                + " FROM isolations i WHERE site = ? AND room = ? AND machine = ? ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, e.room().site());
            ps.setString(2, e.room().room());
            ps.setString(3, machine);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(IsolationView.from(rs)) : Optional.empty();
            }
        }
    }

    public Optional<IsolationView> find(Handle c, long id) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + IsolationView.COLUMNS + " FROM isolations i WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(IsolationView.from(rs)) : Optional.empty();
            }
        }
    }

    /** Every isolation not yet released, oldest first. */
    public List<IsolationView> open(Handle c) throws SQLException {
        List<IsolationView> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + IsolationView.COLUMNS
                + " FROM isolations i WHERE status <> 'released' ORDER BY requested_at, id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(IsolationView.from(rs));
            }
        }
        return out;
    }

    /** Records one member of staff's sign-off (a second one by the same person changes nothing). */
    public void signOff(Handle c, long id, StaffSession who, Instant at) throws SQLException {
        signOff(c, id, who.name(), who.role().wire(), at);
    }

    /** As above, from a chained coordinator.signed-off record (the rebuild, {@link Projector}). */
    void signOff(Handle c, long id, String staff, String role, Instant at) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "INSERT INTO signoffs(isolation_id, staff, role, at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, id);
            ps.setString(2, staff);
            ps.setString(3, role);
            ps.setString(4, Json.time(at));
            ps.executeUpdate();
        }
    }

    /** The isolation of this machine not yet released, which a sign-off or release record is about. */
    Optional<IsolationView> openFor(Handle c, haven.protocol.RoomId room, String machine) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT " + IsolationView.COLUMNS
                + " FROM isolations i WHERE site = ? AND room = ? AND machine = ? AND status <> 'released' ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            ps.setString(3, machine);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(IsolationView.from(rs)) : Optional.empty();
            }
        }
    }

    public List<SignOff> signOffs(Handle c, long id) throws SQLException {
        List<SignOff> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT staff, role, at FROM signoffs WHERE isolation_id = ? ORDER BY at")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SignOff(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3))));
                }
            }
        }
        return out;
    }

    /** Marks that cmd/release went out, once; false if it already had. */
    public boolean markReleaseRequested(Handle c, long id, Instant at) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE isolations SET release_requested_at = ? WHERE id = ? AND release_requested_at IS NULL AND status <> 'released'")) {
            ps.setString(1, Json.time(at));
            ps.setLong(2, id);
            return ps.executeUpdate() == 1;
        }
    }
}
