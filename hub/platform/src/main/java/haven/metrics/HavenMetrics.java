package haven.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Haven's Prometheus metrics for one role, scraped as text format 0.0.4 on {@code GET /metrics}.
 *
 * <p>Counts the components already keep (Ingest, Outbox, MqttLink, LiveFeed, OutboxPublisher) are read at
 * scrape time through callbacks, so wiring adds no second counter that could disagree with the first. Only
 * what has no owner yet (escalations, press-to-ingest latency) is recorded here. A role registers only what
 * it has: a hub exposes published/outbox/reconnects, a coordinator ingest/websocket/escalation figures.
 *
 * <p>No labels carry a room, incident or staff name: a scrape endpoint is readable by monitoring staff who
 * are not the DSL, and per-room series would tell them where worries come from (policy: access limited).
 */
public final class HavenMetrics {
    public static final String EVENTS_PUBLISHED = "haven_events_published_total";
    public static final String EVENTS_INGESTED = "haven_events_ingested_total";
    public static final String EVENTS_REJECTED = "haven_events_rejected_total";
    public static final String EVENTS_DUPLICATE = "haven_events_duplicate_total";
    public static final String OUTBOX_DEPTH = "haven_outbox_depth";
    public static final String MQTT_RECONNECTS = "haven_mqtt_reconnects_total";
    public static final String WEBSOCKET_CLIENTS = "haven_websocket_clients";
    public static final String ESCALATIONS = "haven_escalations_total";
    public static final String PRESS_TO_INGEST = "haven_press_to_ingest_seconds";
    public static final String COMMANDS_REFUSED = "haven_commands_refused_total";

    /** The text format's media type, for the route's Content-Type header. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /**
     * Seconds from the press (the event's {@code at}, hub clock) to the coordinator's commit. Normal is well
     * under a second; the upper buckets cover a broker outage drained later, which must still be visible.
     */
    static final double[] PRESS_TO_INGEST_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Set<String> registered = new HashSet<>();
    private Counter escalations;
    private Histogram pressToIngest;

    /** Hub: events the outbox publisher got a PUBACK for (OutboxPublisher.published()). */
    public HavenMetrics eventsPublished(LongSupplier source) {
        return counter(EVENTS_PUBLISHED, "Events published by this hub and acknowledged by the broker (PUBACK).", source);
    }

    /** Coordinator: events committed to the incident log (Ingest.accepted()). */
    public HavenMetrics eventsIngested(LongSupplier source) {
        return counter(EVENTS_INGESTED, "Events committed to the coordinator's event log.", source);
    }

    /** Coordinator: payloads that broke the contract and went to the rejected table (Ingest.rejected()). */
    public HavenMetrics eventsRejected(LongSupplier source) {
        return counter(EVENTS_REJECTED, "Payloads rejected by ingest for breaking MQTT contract v1.", source);
    }

    /** Coordinator: redeliveries of an event id already logged (Ingest.duplicates()). */
    public HavenMetrics eventsDuplicate(LongSupplier source) {
        return counter(EVENTS_DUPLICATE, "Events received again with an id already in the log (at-least-once redelivery).", source);
    }

    /** Hub: events committed to the outbox and not yet acknowledged by the broker (Outbox.unsentCount()). */
    public HavenMetrics outboxDepth(LongSupplier source) {
        return gauge(OUTBOX_DEPTH, "Events in the hub's outbox waiting for a PUBACK.", source);
    }

    /** Either role: reconnects of its MQTT link (MqttLink.reconnects()). */
    public HavenMetrics mqttReconnects(LongSupplier source) {
        return counter(MQTT_RECONNECTS, "Times the MQTT link reconnected after losing the broker.", source);
    }

    /** Coordinator: dashboards connected to the live feed (LiveFeed.clientCount()). */
    public HavenMetrics websocketClients(LongSupplier source) {
        return gauge(WEBSOCKET_CLIENTS, "Staff dashboards connected to the live WebSocket feed.", source);
    }

    /** Coordinator: one worry escalated for not being acknowledged within escalation.ackWithin. */
    public void escalated() {
        escalationCounter().inc();
    }

    /** Coordinator: how long a press took to reach the incident log. Negative values (clock skew) count as 0. */
    public void pressIngested(Duration pressToCommit) {
        pressToIngestHistogram().observe(Math.max(0, pressToCommit.toNanos()) / 1e9);
    }

    /** Registers the escalation counter and latency histogram up front, so a coordinator's first scrape shows zeros. */
    public HavenMetrics coordinatorSeries() {
        escalationCounter();
        pressToIngestHistogram();
        return this;
    }

    /** Everything registered, in Prometheus text exposition format 0.0.4. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private synchronized Counter escalationCounter() {
        if (escalations == null) {
            claim(ESCALATIONS);
            escalations = Counter.builder().name(ESCALATIONS)
                    .help("Worries escalated because nobody acknowledged them within escalation.ackWithin.")
                    .register(registry);
        }
        return escalations;
    }

    private synchronized Histogram pressToIngestHistogram() {
        if (pressToIngest == null) {
            claim(PRESS_TO_INGEST);
            pressToIngest = Histogram.builder().name(PRESS_TO_INGEST)
                    .help("Seconds from a worry button press (event time) to its commit in the incident log.")
                    .classicOnly()
                    .classicUpperBounds(PRESS_TO_INGEST_BUCKETS)
                    .register(registry);
        }
        return pressToIngest;
    }

    /** Hub: messages on the coordinator's topics refused (unsigned, bad or other key's signature, stale, replayed), by reason. */
    public synchronized HavenMetrics commandsRefused(java.util.function.Supplier<java.util.Map<String, Long>> byReason) {
        claim(COMMANDS_REFUSED);
        CounterWithCallback.builder().name(COMMANDS_REFUSED)
                .help("Messages on the coordinator's topics this hub refused to act on, by reason (docs/SECURITY.md).")
                .labelNames("reason").callback(cb -> byReason.get().forEach((reason, n) -> cb.call(n, reason))).register(registry);
        return this;
    }

    private synchronized HavenMetrics counter(String name, String help, LongSupplier source) {
        claim(name);
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(source.getAsLong())).register(registry);
        return this;
    }

    private synchronized HavenMetrics gauge(String name, String help, LongSupplier source) {
        claim(name);
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(source.getAsLong())).register(registry);
        return this;
    }

    private void claim(String name) {
        if (!registered.add(name)) {
            throw new IllegalStateException("metric " + name + " is already registered: wire each source once");
        }
    }
}
