package haven.coordinator;

import haven.store.Database;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the 72-hour clock of every undecided data breach (docs/DATA-PROTECTION.md), on its own named thread,
 * {@code breach-deadline}: a breach with under 24 hours left is flagged once, chained as
 * {@code coordinator.breach-deadline-near}, and handed to {@code changed} (the staff alerts) after the commit.
 * On start it hands over every undecided breach once, so alert ladders cut short by a restart carry on.
 */
public final class BreachDeadlines implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BreachDeadlines.class);

    private final Database db;
    private final Breaches breaches;
    private final Consumer<Breaches.Breach> changed;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("breach-deadline").daemon(true).factory());

    public BreachDeadlines(Database db, Breaches breaches, Consumer<Breaches.Breach> changed) {
        this.db = db;
        this.breaches = breaches;
        this.changed = changed;
    }

    public BreachDeadlines start(Duration every) {
        timer.execute(this::resume);
        timer.scheduleWithFixedDelay(this::runOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void resume() {
        try {
            db.query(breaches::list).stream().filter(Breaches.Breach::open).forEach(this::tell);
        } catch (java.sql.SQLException | RuntimeException e) {
            log.warn("breach alerts not resumed reason={}", e.getMessage());
        }
    }

    /** One scan; returns how many breaches were flagged now. Tests call it with a moved clock. */
    public int runOnce() {
        try {
            List<Breaches.Breach> flagged = db.transaction(breaches::flagDeadlineNear);
            for (Breaches.Breach b : flagged) {
                log.info("breach deadline near breach={} deadline={}", b.id(), b.deadline());
                tell(b);
            }
            return flagged.size();
        } catch (java.sql.SQLException | RuntimeException e) {
            log.warn("breach deadline scan skipped reason={}", e.getMessage());
            return 0;
        }
    }

    private void tell(Breaches.Breach b) {
        try {
            changed.accept(b);
        } catch (RuntimeException e) {
            log.warn("breach alert failed breach={} reason={}", b.id(), e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
