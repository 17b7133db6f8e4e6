package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.mqtt.MqttLink;
import haven.protocol.ContractViolation;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.HubStatus;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.store.Database;
import haven.coordinator.evidence.EventLog;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns MQTT messages from hubs into the incident log, exactly once. Messages are acknowledged to the
 * broker by hand, and only after the transaction holding them has committed: at-least-once from the
 * broker, made exactly-once here by the event id. A committer thread takes whatever has queued up while
 * the previous commit ran (up to {@value #MAX_BATCH}) into one transaction, so under load one fsync
 * serves many events and at low load nothing waits. If a commit fails, nothing in it is acknowledged
 * and the connection is dropped, so the broker delivers it all again.
 *
 * <p>A payload that breaks the contract is stored in {@code rejected} with the reason and counted; nothing
 * a hub (or anyone on the broker) sends can stop ingest.
 */
public final class Ingest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ingest.class);
    /** Rejected payloads are kept for inspection up to this size; the true size is recorded beside them. */
    private static final int KEEP_REJECTED_BYTES = 64 * 1024;
    static final int MAX_BATCH = 256;

    private static final String REJECTED = """
            INSERT INTO rejected(received_at, topic, reason, size, payload) VALUES (:receivedAt, :topic, :reason, :size, :payload)""";
    /** Adds a batch's count: one statement per counter per batch, not one per event. */
    private static final String COUNT = """
            INSERT INTO counters(name, value) VALUES (:name, :n) ON CONFLICT(name) DO UPDATE SET value = counters.value + excluded.value""";

    /**
     * A message as decoded on the thread that received it, before any transaction: the committer's
     * transaction then only checks against what is stored, appends and projects (issue 14), and the
     * decoding runs beside the previous batch's commit instead of inside it (issue 20).
     */
    sealed interface Decoded {
        /** A hub's event, valid by the contract. */
        record HubEvent(Event event) implements Decoded {
        }

        /** A hub's retained status. */
        record Presence(RoomId room, HubStatus status) implements Decoded {
        }

        /** Our own commands, AUPs and chain heads, a hub's opt-in Home Assistant state, a cleared status. */
        record Ignored() implements Decoded {
        }

        /** Outside the contract: kept in {@code rejected} with this reason (a field's name, never its value). */
        record Refused(String reason) implements Decoded {
        }
    }

    /** One received message, what it decoded to, and how to acknowledge it once it is on disk. */
    private record Item(String topic, byte[] payload, Decoded decoded, Runnable ack) {
    }

    /** What a committed item changed, for the live dashboards (sent after the commit, never before). */
    private record Change(Optional<Incident> incident, Optional<RoomView> room, Optional<IsolationView> isolation,
                          Optional<Duration> pressToCommit) {
        static final Change NONE = new Change(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private final Database db;
    private final EventCodec codec;
    private final EventLog eventLog;
    private final Incidents incidents;
    private final Rooms rooms;
    private final Isolations isolations;
    private final Projector projector;
    private final Changes feed;
    private final Clock clock;
    private final IngestGuard guard;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private volatile Consumer<Duration> onWorryLogged = d -> { };
    private volatile MqttLink link;
    private volatile boolean running = true;
    private Thread committer;

    public Ingest(Database db, EventCodec codec, EventLog eventLog, Incidents incidents, Rooms rooms,
                  Isolations isolations, Changes feed, Clock clock) {
        this.db = db;
        this.codec = codec;
        this.eventLog = eventLog;
        this.incidents = incidents;
        this.rooms = rooms;
        this.isolations = isolations;
        this.projector = new Projector(incidents, rooms, isolations);
        this.feed = feed;
        this.clock = clock;
        this.guard = new IngestGuard(incidents, rooms);
    }

    /** Told how long each new worry took from the press (hub clock) to its commit here (our clock). */
    public void onWorryLogged(Consumer<Duration> listener) {
        this.onWorryLogged = listener;
    }

    public void subscribe(MqttLink mqtt) {
        subscribe(mqtt, Optional.empty());
    }

    /**
     * With a shared group, several coordinators split the hubs' messages between them (each one to exactly
     * one instance, `$share/GROUP/haven/v1/#`), and every instance also takes the retained status directly,
     * because brokers do not send retained messages to shared subscriptions. All instances share one database.
     */
    public void subscribe(MqttLink mqtt, Optional<String> sharedGroup) {
        link = mqtt;
        mqtt.useManualAcks();
        MqttLink.AckedHandler enqueue = (topic, payload, retained, ack) -> enqueue(topic, payload, ack);
        if (sharedGroup.isEmpty()) {
            mqtt.subscribe(Topics.ROOT + "/#", enqueue);
        } else {
            mqtt.subscribe("$share/" + sharedGroup.get() + "/" + Topics.ROOT + "/#", enqueue);
            mqtt.subscribe(Topics.ALL_STATUS, enqueue);
        }
        startCommitter();
    }

    /** Queues one received message for the committer; {@code ack} runs once the transaction holding it has committed. */
    void enqueue(String topic, byte[] payload, Runnable ack) {
        queue.add(new Item(topic, payload, decode(topic, payload), ack));
    }

    /** Starts the committer (subscribe does; tests that enqueue by hand call it themselves). */
    void startCommitter() {
        committer = Thread.ofPlatform().name("ingest-committer").daemon(true).start(this::commitLoop);
    }

    /** Takes one message now, on the caller's thread (tests, tools): the same path, a batch of one. */
    public void onMessage(String topic, byte[] payload, boolean retained) {
        try {
            commit(List.of(new Item(topic, payload, decode(topic, payload), () -> { })));
        } catch (SQLException e) {
            throw new MqttLink.RetryLater("ingest commit failed: " + e.getMessage(), e);
        }
    }

    private void commitLoop() {
        List<Item> batch = new ArrayList<>(MAX_BATCH);
        while (running) {
            try {
                Item first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                long started = System.nanoTime();
                try {
                    commit(batch);
                    log.debug("ingest batch size={} micros={}", batch.size(), (System.nanoTime() - started) / 1000);
                } catch (SQLException | RuntimeException e) {
                    // Nothing in the batch was acknowledged: drop the connection and let the broker resend it.
                    failedBatches.incrementAndGet();
                    log.error("ingest commit failed, broker will redeliver count={} error={}", batch.size(), e.getClass().getName());
                    queue.clear();
                    MqttLink current = link;
                    if (current != null) {
                        current.dropConnection();
                    }
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Counts of one batch, added to the totals only once the batch has committed. */
    private static final class Tally {
        long accepted;
        long duplicates;
        long rejected;
    }

    private void commit(List<Item> batch) throws SQLException {
        Instant now = clock.instant();
        Tally tally = new Tally();
        List<Change> changes = db.transaction(c -> {
            tally.accepted = 0;
            tally.duplicates = 0;
            tally.rejected = 0;
            List<Change> out = new ArrayList<>(batch.size());
            for (Item item : batch) {
                Savepoint before = c.getConnection().setSavepoint();
                try {
                    out.add(apply(c, item, now, tally));
                    c.getConnection().releaseSavepoint(before); // keep the savepoint stack flat: 256 nested ones slow every statement
                } catch (SQLException | RuntimeException e) {
                    // A bug or a broken row must not block the rest, nor come back for ever: keep it aside.
                    c.getConnection().rollback(before);
                    // The class only: a database's message can quote the row, and the row is a hub's data.
                    log.error("ingest could not apply a message room={} error={}", roomOf(item.topic()), e.getClass().getName());
                    reject(c, item, "internal error while storing: " + e.getClass().getSimpleName(), tally);
                    out.add(Change.NONE);
                }
            }
            count(c, "accepted", tally.accepted);
            count(c, "duplicates", tally.duplicates);
            count(c, "rejected", tally.rejected);
            return out;
        });
        long committed = System.nanoTime();
        if (tally.accepted + tally.duplicates + tally.rejected > 0) {
            log.info("ingest committed accepted={} duplicates={} rejected={}", tally.accepted, tally.duplicates, tally.rejected);
        }
        accepted.addAndGet(tally.accepted);
        duplicates.addAndGet(tally.duplicates);
        rejected.addAndGet(tally.rejected);
        batch.forEach(item -> item.ack().run());
        // A busy batch touches the same room many times; dashboards need only its latest state.
        java.util.Map<haven.protocol.RoomId, RoomView> latestRooms = new java.util.LinkedHashMap<>();
        changes.forEach(change -> change.room().ifPresent(r -> latestRooms.put(r.room(), r)));
        latestRooms.values().forEach(feed::roomChanged);
        for (Change change : changes) {
            change.incident().ifPresent(feed::incidentChanged);
            change.isolation().ifPresent(feed::isolationChanged);
            change.pressToCommit().ifPresent(d -> onWorryLogged.accept(d));
        }
        log.debug("ingest pushed batch={} pushMicros={}", batch.size(), (System.nanoTime() - committed) / 1000);
    }

    /**
     * Every message under haven/v1/#: events and presence are taken; anything else outside the contract is
     * refused. Pure: no database, so it runs on the receiving thread.
     */
    Decoded decode(String topic, byte[] payload) {
        try {
            Optional<Topics.Parsed> parsed = Topics.parse(topic);
            if (parsed.isPresent() && parsed.get() instanceof Topics.StatusTopic status) {
                if (payload.length == 0) {
                    return new Decoded.Ignored(); // a cleared retained message: the room was decommissioned
                }
                return new Decoded.Presence(status.room(), HubStatus.decode(payload));
            }
            if (parsed.isPresent() && parsed.get() instanceof Topics.CommandTopic
                    || Topics.isAup(topic) || Topics.isHaState(topic) || Topics.isFilterTargets(topic)
                    || Topics.isChainHead(topic)) {
                return new Decoded.Ignored(); // our own commands, AUPs and chain heads, and the hubs' opt-in Home Assistant state
            }
            return new Decoded.HubEvent(codec.decode(topic, payload));
        } catch (ContractViolation e) {
            return new Decoded.Refused(e.getMessage());
        } catch (RuntimeException e) {
            // A bug must not stop ingest nor lose the message: it is kept aside like any refused payload.
            return new Decoded.Refused("internal error while decoding: " + e.getClass().getSimpleName());
        }
    }

    /** Inside the write transaction: checks against what is stored, then appends and projects. */
    private Change apply(Handle c, Item item, Instant now, Tally tally) throws SQLException {
        return switch (item.decoded()) {
            case Decoded.Ignored ignored -> Change.NONE;
            case Decoded.Refused refused -> {
                reject(c, item, refused.reason(), tally);
                yield Change.NONE;
            }
            case Decoded.Presence presence -> presence(c, item, presence, now, tally);
            case Decoded.HubEvent hubEvent -> event(c, item, hubEvent.event(), now, tally);
        };
    }

    private Change event(Handle c, Item item, Event event, Instant now, Tally tally) throws SQLException {
        // What a valid payload may claim given what is stored (IngestGuard): rejected and kept.
        Optional<String> refused = guard.refusal(c, event, now);
        if (refused.isPresent()) {
            reject(c, item, refused.get(), tally);
            return Change.NONE;
        }
        if (!eventLog.append(c, event, now)) {
            tally.duplicates++;
            log.info("duplicate event ignored id={} room={} seq={}", event.id(), event.room(), event.seq());
            return Change.NONE;
        }
        ClockSkew.event(c, event, now);
        // The same projection a rebuild from the log runs (Projections, `haven rebuild-projections`).
        Projector.Touched touched = projector.hubEvent(c, event, now);
        tally.accepted++;
        // Per event at debug: at a burst's rate the line cost 6 % of ingest (issue 20); the batch's line below says what was logged.
        log.debug("event logged id={} room={} seq={} type={}", event.id(), event.room(), event.seq(), event.type().wire());
        return new Change(touched.incident(), touched.room(), touched.isolation(), event.type() == EventType.WORRY_REPORTED
                ? Optional.of(Duration.between(event.at(), now)) : Optional.empty());
    }

    private Change presence(Handle c, Item item, Decoded.Presence presence, Instant now, Tally tally) throws SQLException {
        Optional<String> refused = guard.refusal(c, presence.room(), presence.status());
        if (refused.isPresent()) {
            reject(c, item, refused.get(), tally);
            return Change.NONE;
        }
        ClockSkew.status(c, presence.room(), presence.status(), now);
        log.info("presence room={} online={}", presence.room(), presence.status().online());
        return new Change(Optional.empty(), rooms.presence(c, presence.room(), presence.status(), now), Optional.empty(), Optional.empty());
    }

    /**
     * One message through the same checks, append and projection as a batch, on a transaction the caller holds
     * (the statement-shape test counts what one event costs; nothing is acknowledged or pushed).
     */
    void applyInside(Handle c, String topic, byte[] payload, Instant now) throws SQLException {
        apply(c, new Item(topic, payload, decode(topic, payload), () -> { }), now, new Tally());
    }

    private void reject(Handle c, Item item, String reason, Tally tally) throws SQLException {
        byte[] payload = item.payload();
        String topic = item.topic();
        tally.rejected++;
        // The room (an id the topic's pattern allows) and the reason (names a field, never its value); the topic and
        // payload themselves go only to the rejected table, where staff with the database can inspect them.
        log.warn("payload rejected room={} size={} reason={}", roomOf(topic), payload.length, reason);
        c.createUpdate(REJECTED)
                .bind("receivedAt", clock.instant())
                .bind("topic", topic.length() > 512 ? topic.substring(0, 512) : topic)
                .bind("reason", reason)
                .bind("size", payload.length)
                .bind("payload", payload.length > KEEP_REJECTED_BYTES ? Arrays.copyOf(payload, KEEP_REJECTED_BYTES) : payload)
                .execute();
    }

    private static String roomOf(String topic) {
        return Topics.parse(topic).map(p -> p.room().toString()).orElse("-");
    }

    private static void count(Handle c, String name, long n) {
        if (n > 0) {
            c.createUpdate(COUNT).bind("name", name).bind("n", n).execute();
        }
    }

    public long accepted() {
        return accepted.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** Batches whose commit failed (nothing in them acknowledged; the broker redelivers them). */
    long failedBatches() {
        return failedBatches.get();
    }

    @Override
    public void close() {
        running = false;
        if (committer != null) {
            committer.interrupt();
            try {
                committer.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
