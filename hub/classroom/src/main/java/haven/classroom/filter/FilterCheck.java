package haven.classroom.filter;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.outbox.Outbox;
import haven.protocol.EventType;
import haven.protocol.FilterResult;
import haven.protocol.FilterTargets;
import haven.protocol.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the school's filter check from this room's network, on the schedule and when asked, and commits the
 * results to the outbox as one filter.checked event (so it is delivered and chained like any other event).
 * The check runs on its own thread, one target after another: a check is a handful of small requests a week,
 * never a load on the school's connection. Seed 004 asks the online-safety lead to "conduct regular testing
 * to ensure blocked content is still inaccessible"; this is that test, from every room.
 */
public final class FilterCheck implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FilterCheck.class);

    private final TargetProbe probe;
    private final Outbox outbox;
    private final Clock clock;
    private final FilterSchedule schedule;
    private final Runnable published;
    private final AtomicReference<FilterTargets> targets = new AtomicReference<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "filter-check");
        t.setDaemon(true);
        return t;
    });

    public FilterCheck(TargetProbe probe, Outbox outbox, Clock clock, FilterSchedule schedule, Runnable published) {
        this.probe = probe;
        this.outbox = outbox;
        this.clock = clock;
        this.schedule = schedule;
        this.published = published;
    }

    /** Starts the schedule: the first run at the room's next slot. */
    public void start() {
        planNext();
    }

    private void planNext() {
        Instant now = clock.instant();
        long delay = Math.max(0, schedule.nextAfter(now).toEpochMilli() - now.toEpochMilli());
        worker.schedule(() -> {
            try {
                run("schedule", "schedule");
            } finally {
                planNext();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** The latest list from the coordinator (retained topic); an empty payload clears it. */
    public void targets(Optional<FilterTargets> latest) {
        targets.set(latest.orElse(null));
    }

    public boolean hasTargets() {
        return targets.get() != null;
    }

    /** Asks for a check now (cmd/filter-check); {@code check} is the command's id, {@code by} who asked. */
    public void request(String check, String by) {
        try {
            worker.execute(() -> run(check, by));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.info("filter check not started check={} reason=the hub is stopping", check);
        }
    }

    /** Runs one check on the caller's thread and returns what it committed (empty when there is no list yet). */
    public Optional<List<FilterResult>> run(String check, String by) {
        FilterTargets list = targets.get();
        if (list == null) {
            log.warn("filter check skipped check={} reason=no target list from the coordinator yet", check);
            return Optional.empty();
        }
        List<FilterResult> results = new ArrayList<>();
        for (FilterTargets.Target target : list.targets()) {
            try {
                results.add(probe.probe(target, list));
            } catch (RuntimeException e) {
                log.error("filter probe failed target={}", target.target(), e);
                ObjectNode evidence = Json.object();
                evidence.put("error", e.getClass().getSimpleName());
                results.add(new FilterResult(target.category(), target.target(), target.expected(), "error", evidence));
            }
        }
        ObjectNode data = Json.object();
        data.put("check", check.length() > 64 ? check.substring(0, 64) : check);
        data.put("by", by.length() > 64 ? by.substring(0, 64) : by);
        ArrayNode list2 = data.putArray("results");
        results.forEach(r -> list2.add(r.toJson()));
        try {
            outbox.append(EventType.FILTER_CHECKED, data);
            published.run();
        } catch (RuntimeException e) {
            log.error("filter check not committed check={}", check, e);
            return Optional.empty();
        }
        log.info("filter check done check={} targets={} failed={} at={}", check, results.size(),
                results.stream().filter(FilterResult::failed).count(), clock.instant());
        return Optional.of(results);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
