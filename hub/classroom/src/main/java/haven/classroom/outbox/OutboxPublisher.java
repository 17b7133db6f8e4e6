package haven.classroom.outbox;

import haven.mqtt.Delivery;
import haven.mqtt.MqttLink;
import haven.mqtt.PublishFailed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox to the broker in {@code seq} order. A window of publishes is in flight at once
 * (TCP keeps their order); each is marked sent only when its PUBACK arrives. After an outage the backlog
 * drains at most {@code maxPerSecond}, so thirty classrooms reconnecting at once do not flood the broker,
 * while new presses keep being accepted into the outbox.
 */
public final class OutboxPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);
    private static final Duration PUBACK_TIMEOUT = Duration.ofSeconds(10);

    private final Outbox outbox;
    private final MqttLink mqtt;
    private final int window;
    private final int maxPerSecond;
    private final Semaphore wake = new Semaphore(0);
    private final Thread worker;
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running = true;

    public OutboxPublisher(Outbox outbox, MqttLink mqtt, int window, int maxPerSecond) {
        if (window < 1 || maxPerSecond < 1) {
            throw new IllegalArgumentException("outbox window and maxPerSecond must be positive");
        }
        this.outbox = outbox;
        this.mqtt = mqtt;
        this.window = window;
        this.maxPerSecond = maxPerSecond;
        this.worker = Thread.ofPlatform().name("outbox-publisher").daemon(true).unstarted(this::run);
        mqtt.onConnected(this::wake);
    }

    public void start() {
        worker.start();
    }

    /** Something new is in the outbox, or the link came back: drain now rather than at the next tick. */
    public void wake() {
        wake.release();
    }

    public long published() {
        return published.get();
    }

    private void run() {
        while (running) {
            try {
                wake.tryAcquire(1, TimeUnit.SECONDS);
                wake.drainPermits();
                outbox.tryWriteHeld();
                while (running && mqtt.isConnected()) {
                    long started = System.nanoTime();
                    int sent = drainOnce();
                    if (sent == 0) {
                        break;
                    }
                    pace(sent, started);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("outbox publisher error", e);
            }
        }
    }

    /** Publishes one window and waits for its PUBACKs; returns how many were acknowledged. */
    private int drainOnce() {
        List<Outbox.Pending> batch = outbox.pending(window);
        List<Delivery> tokens = new ArrayList<>(batch.size());
        for (Outbox.Pending p : batch) {
            try {
                tokens.add(mqtt.publish(p.topic(), p.payload(), false));
            } catch (PublishFailed e) {
                log.info("publish deferred seq={} reason={}", p.seq(), e.getMessage());
                break;
            }
        }
        List<Long> acked = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            // Only the broker's PUBACK counts (Delivery explains the Paho case it guards against); anything
            // else stays unsent and goes again, in seq order.
            try {
                tokens.get(i).awaitPubAck(PUBACK_TIMEOUT);
            } catch (PublishFailed e) {
                log.info("puback missing seq={} reason={}", batch.get(i).seq(), e.getMessage());
                break;
            }
            acked.add(batch.get(i).seq());
        }
        outbox.markSent(acked);
        published.addAndGet(acked.size());
        return acked.size();
    }

    private void pace(int sent, long startedNanos) throws InterruptedException {
        long minimumNanos = TimeUnit.SECONDS.toNanos(sent) / maxPerSecond;
        long remaining = minimumNanos - (System.nanoTime() - startedNanos);
        if (remaining > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
