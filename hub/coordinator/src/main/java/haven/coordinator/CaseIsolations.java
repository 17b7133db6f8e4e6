package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Event;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Isolation as part of a case (docs/CASEWORK.md): a computer cut off from the network belongs to the room's
 * open incident, or opens one with source isolation. The key switch turned on the hub (the hub's
 * isolation.requested event) and a remote isolation from the dashboard both come through here, so they
 * join the same case. A concern routed to the head or the chair is never joined: it is not the room's.
 */
public final class CaseIsolations {
    static final String KEY_SWITCH_REASON = "isolation requested in the room (key switch or kiosk)";

    private final Incidents incidents;

    public CaseIsolations(Incidents incidents) {
        this.incidents = incidents;
    }

    /** Inside the ingest transaction: links an isolation.requested to the room's case, opening one if needed. */
    public Optional<Incident> onEvent(Handle c, Event event, Optional<IsolationView> isolation) throws SQLException {
        if (event.type() != EventType.ISOLATION_REQUESTED || isolation.isEmpty() || loggedBeforeCases(c, event.id())) {
            return Optional.empty();
        }
        String reason = event.data().hasNonNull("reason") ? event.data().get("reason").asText() : KEY_SWITCH_REASON;
        Incident incident = openOrJoin(c, event.room(), event.id(), event.at(), reason);
        link(c, isolation.get().id(), incident.reportId(), reason);
        return Optional.of(incident);
    }

    /** An event logged before case work existed (migration V42) opened no case then, so it opens none in a rebuild. */
    private static boolean loggedBeforeCases(Handle c, String eventId) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "SELECT 1 FROM events e WHERE e.id = ? AND e.pos <= (SELECT max(f.pos) FROM case_isolations_from f)")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The room's open case, or a new one with source isolation whose report id is the event (or chained
     * record) that opened it, so verify-log finds its opener.
     */
    public Incident openOrJoin(Handle c, RoomId room, String openerId, Instant at, String reason) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                SELECT id FROM incidents WHERE site = ? AND room = ? AND status <> 'closed' AND coalesce(about, 'pupil') = 'pupil'
                ORDER BY CASE source WHEN 'isolation' THEN 0 ELSE 1 END, opened_at DESC, id DESC LIMIT 1""")) {
            ps.setString(1, room.site());
            ps.setString(2, room.room());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return incidents.find(c, rs.getLong(1)).orElseThrow();
                }
            }
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO incidents(report_id, site, room, status, presses, opened_at, source, summary)
                VALUES (?,?,?,'open',0,?,?,?) ON CONFLICT(report_id) DO NOTHING""")) {
            ps.setString(1, openerId);
            ps.setString(2, room.site());
            ps.setString(3, room.room());
            ps.setString(4, Json.time(at));
            ps.setString(5, IncidentSource.ISOLATION.wire());
            ps.setString(6, reason);
            ps.executeUpdate();
        }
        return incidents.numbered(c, incidents.find(c, openerId)).orElseThrow();
    }

    private static void link(Handle c, long isolation, String incidentReport, String reason) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "UPDATE isolations SET incident_report = ?, reason = coalesce(reason, ?) WHERE id = ? AND incident_report IS NULL")) {
            ps.setString(1, incidentReport);
            ps.setString(2, reason);
            ps.setLong(3, isolation);
            ps.executeUpdate();
        }
    }
}
