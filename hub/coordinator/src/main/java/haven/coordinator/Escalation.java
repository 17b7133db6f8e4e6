package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Json;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy: reports reach the lead the same day, by the end of the lesson when urgent. A worry nobody has
 * acknowledged within {@code ackWithin} is escalated (dashboard alarm for senior staff, audit entry); at
 * the end of the school day every incident still open is flagged. Time comes from the injected clock.
 */
public final class Escalation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Escalation.class);

    private final Database db;
    private final Incidents incidents;
    private final Changes feed;
    private final AuditLog audit;
    private final Clock clock;
    private final haven.coordinator.evidence.StaffDecisions decisions;
    private final Duration ackWithin;
    private final Optional<LocalTime> endOfDay;
    private final ZoneId zone;
    private final AtomicLong escalations = new AtomicLong();
    private volatile Runnable onEscalated = () -> { };
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "escalation");
        t.setDaemon(true);
        return t;
    });

    public Escalation(Database db, Incidents incidents, Changes feed, AuditLog audit, Clock clock, Duration ackWithin,
                      Optional<LocalTime> endOfDay, ZoneId zone) {
        this.db = db;
        this.incidents = incidents;
        this.feed = feed;
        this.audit = audit;
        this.clock = clock;
        this.decisions = new haven.coordinator.evidence.StaffDecisions(clock);
        this.ackWithin = ackWithin;
        this.endOfDay = endOfDay;
        this.zone = zone;
    }

    public void start(Duration every) {
        timer.scheduleWithFixedDelay(this::runOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass; returns how many incidents changed. Safe to call from tests with a moved clock. */
    public int runOnce() {
        try {
            Instant now = clock.instant();
            long before = escalations.get();
            List<Incident> changed = db.transaction(c -> {
                List<Long> ids = new ArrayList<>();
                // A failed filter check is the technician's, closed by its recorded action: it never escalates as a worry.
                ids.addAll(overdue(c, now));
                int escalatedCount = ids.size();
                for (Long id : ids) {
                    audit.record(c, "system", "escalated", "incident=" + id + " unacknowledged for " + ackWithin.toMinutes() + " min");
                    Incident escalated = incidents.find(c, id).orElseThrow();
                    decisions.record(c, haven.coordinator.evidence.StaffDecisions.ESCALATED, escalated.room(), now, Json.object()
                            .put("incident", id).put("report", escalated.reportId()).put("afterMinutes", ackWithin.toMinutes()));
                }
                if (endOfDay.isPresent()) {
                    ZonedDateTime local = now.atZone(zone);
                    if (!local.toLocalTime().isBefore(endOfDay.get())) {
                        String today = local.toLocalDate().toString();
                        List<Long> flagged = incidents.flagOpenAtEndOfDay(c, today);
                        for (Long id : flagged) {
                            audit.record(c, "system", "open-at-end-of-day", "incident=" + id + " " + today);
                            Incident open = incidents.find(c, id).orElseThrow();
                            decisions.record(c, haven.coordinator.evidence.StaffDecisions.OPEN_AT_END_OF_DAY, open.room(), now,
                                    Json.object().put("incident", id).put("report", open.reportId()).put("day", today));
                        }
                        ids.addAll(flagged);
                    }
                }
                escalations.addAndGet(escalatedCount);
                List<Incident> out = new ArrayList<>();
                for (Long id : ids.stream().distinct().toList()) {
                    incidents.find(c, id).ifPresent(out::add);
                }
                return out;
            });
            for (long n = escalations.get() - before; n > 0; n--) {
                onEscalated.run();
            }
            for (Incident i : changed) {
                if (i.status() == IncidentStatus.ESCALATED) {
                    log.warn("worry escalated incident={} room={} openedAt={}", i.id(), i.room(), Incident.wire(i.openedAt()));
                }
                feed.incidentChanged(i);
            }
            return changed.size();
        } catch (SQLException | RuntimeException e) {
            log.error("escalation pass failed reason={}", e.getMessage());
            return 0;
        }
    }

    /**
     * Escalates what has waited longer than {@code ackWithin} since the coordinator received it. Instants are
     * compared, not the hub's text: a hub clock in 2099 once kept a worry from ever escalating.
     */
    private List<Long> overdue(Handle c, Instant now) throws SQLException {
        List<Long> escalated = new ArrayList<>();
        for (Long id : incidents.waitingSince(c, now.minus(ackWithin))) {
            if (incidents.escalate(c, id, now)) {
                escalated.add(id);
            }
        }
        return escalated;
    }

    public void onEscalated(Runnable listener) {
        this.onEscalated = listener;
    }

    public long escalations() {
        return escalations.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
