package haven.classroom.outbox;

import haven.mqtt.Delivery;
import haven.mqtt.MqttLink;
import haven.mqtt.PublishFailed;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox to the broker in {@code seq} order, pipelined: up to {@code window} publishes are in
 * flight at once (TCP keeps their order) and a new event is published as soon as it is appended
 * ({@link #wake}), without waiting for the PUBACKs of the ones before it. Each is marked sent only when its
 * own PUBACK arrives. Two named threads share the work: the sender publishes, the acker waits for PUBACKs
 * in publish order and marks them sent, one transaction per run of PUBACKs that arrived together.
 *
 * <p>Order survives failures: when a PUBACK is missing, everything in flight after it is dropped from
 * the pipeline (still unsent in the outbox) and a new generation starts from the oldest unsent event, so
 * the broker never sees seq n+1 delivered for good ahead of a seq n that goes again. After an outage the
 * backlog drains at most {@code maxPerSecond}, so thirty classrooms reconnecting at once do not flood the
 * broker, while new presses keep being accepted into the outbox.
 */
public final class OutboxPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);
    private static final Duration PUBACK_TIMEOUT = Duration.ofSeconds(10);
    /** Fallback tick: retries held events and a deferred publish even if nothing wakes the sender. */
    private static final long TICK_MILLIS = 1000;

    private record InFlight(long seq, Delivery delivery) {
    }

    private final Outbox outbox;
    private final MqttLink mqtt;
    private final int window;
    private final long intervalNanos;
    private final Semaphore wake = new Semaphore(0);
    private final Thread sender;
    private final Thread acker;
    private final AtomicLong published = new AtomicLong();
    // Guarded by this: what is in the pipeline, and which seqs the sender must not publish again yet
    // (in flight, or acknowledged but not yet marked sent on disk).
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final Set<Long> outstanding = new HashSet<>();
    private long generation;
    private long nextPublishNanos;
    private volatile boolean running = true;

    public OutboxPublisher(Outbox outbox, MqttLink mqtt, int window, int maxPerSecond) {
        if (window < 1 || maxPerSecond < 1) {
            throw new IllegalArgumentException("outbox window and maxPerSecond must be positive");
        }
        this.outbox = outbox;
        this.mqtt = mqtt;
        this.window = window;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / maxPerSecond;
        this.sender = Thread.ofPlatform().name("outbox-publisher").daemon(true).unstarted(this::send);
        this.acker = Thread.ofPlatform().name("outbox-acker").daemon(true).unstarted(this::acknowledge);
        mqtt.onConnected(this::wake);
    }

    public void start() {
        sender.start();
        acker.start();
    }

    /** Something new is in the outbox, or the link came back: publish now rather than at the next tick. */
    public void wake() {
        wake.release();
    }

    /** Events the broker acknowledged (and the outbox marked sent, or is marking). */
    public long published() {
        return published.get();
    }

    private void send() {
        while (running) {
            try {
                wake.tryAcquire(TICK_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                outbox.tryWriteHeld();
                while (running && mqtt.isConnected() && publishSome()) {
                    // more may have been appended meanwhile: look again before sleeping
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("outbox publisher error", e);
            }
        }
    }

    /** Publishes what is unsent and not in flight, up to the free window; false when nothing was published. */
    private boolean publishSome() throws InterruptedException {
        long gen;
        int free;
        Set<Long> skip;
        synchronized (this) {
            free = window - inFlight.size();
            if (free <= 0) {
                return false; // the acker wakes us when a slot frees
            }
            gen = generation;
            skip = new HashSet<>(outstanding);
        }
        List<Outbox.Pending> batch = new ArrayList<>(free);
        for (Outbox.Pending p : outbox.pending(free + skip.size())) {
            if (!skip.contains(p.seq()) && batch.size() < free) {
                batch.add(p);
            }
        }
        int sent = 0;
        for (Outbox.Pending p : batch) {
            pace();
            synchronized (this) {
                if (generation != gen || !running) {
                    return sent > 0; // a PUBACK went missing meanwhile: start again from the oldest unsent
                }
                try {
                    inFlight.addLast(new InFlight(p.seq(), mqtt.publish(p.topic(), p.payload(), false)));
                } catch (PublishFailed e) {
                    log.info("publish deferred seq={} reason={}", p.seq(), e.getMessage());
                    return false;
                }
                outstanding.add(p.seq());
                notifyAll();
            }
            sent++;
        }
        return sent > 0;
    }

    /** At most maxPerSecond publishes: a press after a quiet spell goes at once, a backlog is spread out. */
    private void pace() throws InterruptedException {
        long now = System.nanoTime();
        if (nextPublishNanos - now > 0) {
            TimeUnit.NANOSECONDS.sleep(nextPublishNanos - now);
            now = System.nanoTime();
        }
        nextPublishNanos = Math.max(now, nextPublishNanos) + intervalNanos;
    }

    private void acknowledge() {
        List<Long> acked = new ArrayList<>();
        while (running) {
            try {
                InFlight head;
                synchronized (this) {
                    while (running && inFlight.isEmpty()) {
                        wait(TICK_MILLIS);
                    }
                    if (!running) {
                        return;
                    }
                    head = inFlight.peekFirst();
                }
                boolean ok;
                try {
                    // Only the broker's PUBACK counts (Delivery explains the Paho case it guards against).
                    head.delivery().awaitPubAck(PUBACK_TIMEOUT);
                    ok = true;
                } catch (PublishFailed e) {
                    log.info("puback missing seq={} reason={}", head.seq(), e.getMessage());
                    ok = false;
                }
                boolean more;
                synchronized (this) {
                    if (inFlight.peekFirst() == head) {
                        inFlight.removeFirst();
                    }
                    wake(); // a slot is free
                    if (ok) {
                        acked.add(head.seq());
                    } else {
                        // Everything behind it goes again, in seq order, in a new generation.
                        for (InFlight f : inFlight) {
                            outstanding.remove(f.seq());
                        }
                        inFlight.clear();
                        outstanding.remove(head.seq());
                        generation++;
                    }
                    more = ok && !inFlight.isEmpty() && acked.size() < window;
                }
                if (!more) {
                    markSent(acked);
                    acked.clear();
                    wake();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("outbox acker error", e);
            }
        }
    }

    /** One transaction for the run; the seqs stay outstanding until it is done, so none is published twice. */
    private void markSent(List<Long> acked) {
        if (acked.isEmpty()) {
            return;
        }
        outbox.markSent(acked);
        published.addAndGet(acked.size());
        synchronized (this) {
            outstanding.removeAll(acked);
        }
    }

    @Override
    public void close() {
        running = false;
        sender.interrupt();
        acker.interrupt();
        try {
            sender.join(3000);
            acker.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
