package haven.coordinator;

import haven.store.Database;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flags follow-up actions that passed their due time without being done (docs/CASEWORK.md), on its own
 * named thread, {@code case-overdue}: each is flagged once, chained as {@code coordinator.action-overdue},
 * and then handed to {@link CaseAlerts} once, after the commit.
 */
public final class OverdueActions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OverdueActions.class);

    private final Database db;
    private final Cases cases;
    private final CaseAlerts alerts;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("case-overdue").daemon(true).factory());

    public OverdueActions(Database db, Cases cases, CaseAlerts alerts) {
        this.db = db;
        this.cases = cases;
        this.alerts = alerts;
    }

    public OverdueActions start(Duration every) {
        timer.scheduleWithFixedDelay(this::runOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One scan; returns how many actions became overdue. Tests call it with a moved clock. */
    public int runOnce() {
        try {
            List<Cases.Overdue> flagged = db.transaction(cases::flagOverdue);
            for (Cases.Overdue o : flagged) {
                log.info("case action overdue incident={} action={} kind={} due={}", o.incident().id(), o.action(), o.kind().stored(), o.due());
                try {
                    alerts.actionOverdue(o.incident(), o.kind().stored(), o.due());
                } catch (RuntimeException e) {
                    log.warn("overdue alert failed incident={} action={} reason={}", o.incident().id(), o.action(), e.getMessage());
                }
            }
            return flagged.size();
        } catch (java.sql.SQLException | RuntimeException e) {
            log.warn("overdue scan skipped reason={}", e.getMessage());
            return 0;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
