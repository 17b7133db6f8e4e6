package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Json;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import haven.store.Dialect;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data protection: safeguarding data is kept no longer than necessary. Incidents closed more than
 * {@code retention.days} ago are deleted, and with them the oldest part of the evidence log that no kept
 * incident needs. The log is cut only at its start, in one transaction, leaving a checkpoint hash so the
 * remaining chain still verifies (`haven verify-log`). The purge itself is audited.
 */
public final class Retention implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    public record Purge(int incidents, int events) {
    }

    private final Database db;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration keep;
    private final haven.coordinator.evidence.StaffDecisions decisions;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retention");
        t.setDaemon(true);
        return t;
    });

    public Retention(Database db, AuditLog audit, Clock clock, Duration keep) {
        this.db = db;
        this.audit = audit;
        this.clock = clock;
        this.keep = keep;
        this.decisions = new haven.coordinator.evidence.StaffDecisions(clock);
    }

    public void startDaily() {
        timer.scheduleWithFixedDelay(this::purgeQuietly, 1, 24 * 60, TimeUnit.MINUTES);
    }

    private void purgeQuietly() {
        try {
            purgeOnce();
        } catch (SQLException | RuntimeException e) {
            log.error("retention purge failed reason={}", e.getMessage());
        }
    }

    public Purge purgeOnce() throws SQLException {
        String cutoff = Json.time(clock.instant().minus(keep));
        Purge purge = db.transaction(c -> {
            // Deleting the head of the chain while a coordinator appends to it would race its checkpoint.
            Dialect.of(c).lockEventLog(c);
            java.util.List<String> reports = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT report_id FROM incidents WHERE status = 'closed' AND closed_at < ? ORDER BY id")) {
                ps.setString(1, cutoff);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        reports.add(rs.getString(1));
                    }
                }
            }
            int incidents;
            try (PreparedStatement ps = c.getConnection().prepareStatement("DELETE FROM incidents WHERE status = 'closed' AND closed_at < ?")) {
                ps.setString(1, cutoff);
                incidents = ps.executeUpdate();
            }
            long firstKept = firstNeeded(c, cutoff);
            // Each hub's highest seq that goes: a hub's outbox still lists those events as sent, and
            // verify-log --hub-db must tell a purged event from one an insider removed.
            com.fasterxml.jackson.databind.node.ArrayNode purgedSeqs = Json.array();
            try (PreparedStatement ps = c.getConnection().prepareStatement(
                    "SELECT site, room, max(seq) FROM events WHERE pos < ? AND seq > 0 GROUP BY site, room ORDER BY site, room")) {
                ps.setLong(1, firstKept);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        purgedSeqs.addObject().put("site", rs.getString(1)).put("room", rs.getString(2)).put("upToSeq", rs.getLong(3));
                    }
                }
            }
            int events = 0;
            String hash = null;
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT hash FROM events WHERE pos < ? ORDER BY pos DESC LIMIT 1")) {
                ps.setLong(1, firstKept);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        hash = rs.getString(1);
                    }
                }
            }
            if (hash != null) {
                try (PreparedStatement flag = c.getConnection().prepareStatement("INSERT INTO purge_in_progress(started_at) VALUES (?)")) {
                    flag.setString(1, Json.time(clock.instant()));
                    flag.executeUpdate();
                }
                try (PreparedStatement ps = c.getConnection().prepareStatement("DELETE FROM events WHERE pos < ?")) {
                    ps.setLong(1, firstKept);
                    events = ps.executeUpdate();
                }
                try (PreparedStatement ps = c.getConnection().prepareStatement("DELETE FROM purge_in_progress")) {
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.getConnection().prepareStatement(
                        "INSERT INTO chain_checkpoints(up_to_pos, hash, purged_events, at) VALUES (?,?,?,?)")) {
                    ps.setLong(1, firstKept - 1);
                    ps.setString(2, hash);
                    ps.setInt(3, events);
                    ps.setString(4, Json.time(clock.instant()));
                    ps.executeUpdate();
                }
            }
            if (incidents > 0 || events > 0) {
                // The checkpoint as a chained record, witnessed by the hubs like any head (docs/EVIDENCE.md):
                // verify-log accepts a checkpoint only with this record behind it, and a rebuild of the
                // tables from the remaining log starts from what it says.
                com.fasterxml.jackson.databind.node.ObjectNode data = Json.object();
                data.put("upToPosition", firstKept - 1).put("hash", hash).put("events", events).put("incidents", incidents)
                        .put("closedBefore", cutoff);
                data.set("purgedSeqs", purgedSeqs);
                Projections.snapshotForPurge(c, reports, data);
                decisions.record(c, haven.coordinator.evidence.StaffDecisions.PURGED, haven.coordinator.evidence.StaffDecisions.SCHOOL, data);
                audit.record(c, "system", "retention-purge", "incidents=" + incidents + " events=" + events + " closedBefore=" + cutoff);
            }
            return new Purge(incidents, events);
        });
        if (purge.incidents() > 0 || purge.events() > 0) {
            log.info("retention purge incidents={} events={} closedBefore={}", purge.incidents(), purge.events(), cutoff);
        }
        return purge;
    }

    /** The first log position still needed: recent events, and every event of an incident that is kept. */
    private static long firstNeeded(Handle c, String cutoff) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                SELECT coalesce(min(pos), (SELECT coalesce(max(pos), 0) + 1 FROM events)) FROM events
                WHERE received_at >= ?
                   OR id IN (SELECT report_id FROM incidents)
                   OR %s IN (SELECT report_id FROM incidents)""".formatted(Dialect.of(c).jsonText("payload", "data", "report")))) {
            ps.setString(1, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
