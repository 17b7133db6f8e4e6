package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Json;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.EventLog;
import haven.store.Database;
import haven.store.Dialect;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 *
 * <p>The log is cut through its owner, {@link EventLog}. The statements below choose what goes: the closed
 * incidents past the cutoff, and the first log position any kept incident or recent event still needs.
 */
public final class Retention implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private static final String EXPIRED_REPORTS =
            "SELECT report_id FROM incidents WHERE status = :closed AND closed_at < :cutoff ORDER BY id";
    private static final String DELETE_EXPIRED = "DELETE FROM incidents WHERE status = :closed AND closed_at < :cutoff";
    /** %s: the dialect's text of payload.data.report. */
    private static final String FIRST_NEEDED = """
            SELECT coalesce(min(pos), (SELECT coalesce(max(pos), 0) + 1 FROM events)) FROM events
            WHERE received_at >= :cutoff
               OR id IN (SELECT report_id FROM incidents)
               OR %s IN (SELECT report_id FROM incidents)""";

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
        Instant closedBefore = clock.instant().minus(keep);
        String cutoff = Json.time(closedBefore);
        Purge purge = db.transaction(c -> {
            // Deleting the head of the chain while a coordinator appends to it would race its checkpoint.
            Dialect.of(c).lockEventLog(c);
            java.util.List<String> reports = c.createQuery(EXPIRED_REPORTS)
                    .bind("closed", IncidentStatus.CLOSED)
                    .bind("cutoff", closedBefore)
                    .mapTo(String.class)
                    .list();
            int incidents = c.createUpdate(DELETE_EXPIRED)
                    .bind("closed", IncidentStatus.CLOSED)
                    .bind("cutoff", closedBefore)
                    .execute();
            long firstKept = firstNeeded(c, closedBefore);
            // Each hub's highest seq that goes: a hub's outbox still lists those events as sent, and
            // verify-log --hub-db must tell a purged event from one an insider removed.
            com.fasterxml.jackson.databind.node.ArrayNode purgedSeqs = Json.array();
            for (EventLog.PurgedSeq p : EventLog.purgedSeqs(c, firstKept)) {
                purgedSeqs.addObject().put("site", p.site()).put("room", p.room()).put("upToSeq", p.upToSeq());
            }
            int events = 0;
            String hash = EventLog.hashBefore(c, firstKept).orElse(null);
            if (hash != null) {
                events = EventLog.cutBefore(c, firstKept, hash, clock.instant());
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
    private static long firstNeeded(Handle c, Instant cutoff) throws SQLException {
        return c.createQuery(FIRST_NEEDED.formatted(Dialect.of(c).jsonText("payload", "data", "report")))
                .bind("cutoff", cutoff)
                .mapTo(Long.class)
                .one();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
