package haven.coordinator;

import haven.mqtt.MqttLink;
import haven.protocol.ContractViolation;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.Topics;
import haven.store.Database;
import haven.store.EventLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns MQTT messages from hubs into the incident log. Runs inside Paho's messageArrived, so the commit
 * happens before the PUBACK: at-least-once from the broker, made exactly-once here by the event id.
 * A payload that breaks the contract is stored in {@code rejected} with the reason and counted; nothing
 * a hub (or anyone on the broker) sends can stop ingest.
 */
public final class Ingest {
    private static final Logger log = LoggerFactory.getLogger(Ingest.class);
    /** Rejected payloads are kept for inspection up to this size; the true size is recorded beside them. */
    private static final int KEEP_REJECTED_BYTES = 64 * 1024;

    private final Database db;
    private final EventCodec codec;
    private final EventLog eventLog;
    private final Incidents incidents;
    private final Rooms rooms;
    private final Isolations isolations;
    private final LiveFeed feed;
    private final Clock clock;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile java.util.function.Consumer<java.time.Duration> onWorryLogged = d -> { };

    public Ingest(Database db, EventCodec codec, EventLog eventLog, Incidents incidents, Rooms rooms,
                  Isolations isolations, LiveFeed feed, Clock clock) {
        this.db = db;
        this.codec = codec;
        this.eventLog = eventLog;
        this.incidents = incidents;
        this.rooms = rooms;
        this.isolations = isolations;
        this.feed = feed;
        this.clock = clock;
    }

    /** Told how long each new worry took from the press (hub clock) to its commit here (our clock). */
    public void onWorryLogged(java.util.function.Consumer<java.time.Duration> listener) {
        this.onWorryLogged = listener;
    }

    public void subscribe(MqttLink mqtt) {
        subscribe(mqtt, java.util.Optional.empty());
    }

    /**
     * With a shared group, several coordinators split the hubs' messages between them (each one to exactly
     * one instance, `$share/GROUP/haven/v1/#`), and every instance also takes the retained status directly,
     * because brokers do not send retained messages to shared subscriptions. All instances share one database.
     */
    public void subscribe(MqttLink mqtt, java.util.Optional<String> sharedGroup) {
        if (sharedGroup.isEmpty()) {
            mqtt.subscribe(Topics.ROOT + "/#", this::onMessage);
            return;
        }
        mqtt.subscribe("$share/" + sharedGroup.get() + "/" + Topics.ROOT + "/#", this::onMessage);
        mqtt.subscribe(Topics.ALL_STATUS, this::onMessage);
    }

    /** Every message under haven/v1/#: events and presence are taken; anything else outside the contract is rejected. */
    public void onMessage(String topic, byte[] payload, boolean retained) {
        Optional<Topics.Parsed> parsed = Topics.parse(topic);
        if (parsed.isPresent() && parsed.get() instanceof Topics.StatusTopic) {
            onStatus(topic, payload, (Topics.StatusTopic) parsed.get());
        } else if (parsed.isPresent() && parsed.get() instanceof Topics.CommandTopic) {
            return; // our own commands to hubs
        } else if (Topics.isAup(topic) || Topics.isHaState(topic)) {
            return; // AUPs we publish, and the hubs' opt-in Home Assistant state
        } else {
            onEvent(topic, payload);
        }
    }

    public void onEvent(String topic, byte[] payload) {
        Instant now = clock.instant();
        Event event;
        try {
            event = codec.decode(topic, payload);
        } catch (ContractViolation e) {
            reject(topic, payload, e.getMessage());
            return;
        }
        record Outcome(boolean fresh, Optional<Incident> incident, Optional<RoomView> room, Optional<IsolationView> isolation) {
        }
        Outcome outcome;
        try {
            outcome = db.inTransaction(c -> {
                if (!eventLog.append(c, event, now)) {
                    count(c, "duplicates");
                    return new Outcome(false, Optional.empty(), Optional.empty(), Optional.empty());
                }
                Optional<Incident> incident = incidents.apply(c, event);
                Optional<IsolationView> isolation = isolations.apply(c, event);
                Optional<RoomView> room = rooms.eventLogged(c, event, now);
                count(c, "accepted");
                return new Outcome(true, incident, room, isolation);
            });
        } catch (SQLException e) {
            // Not stored: refuse the PUBACK so the broker delivers it again.
            throw new MqttLink.RetryLater("event log commit failed: " + e.getMessage(), e);
        }
        if (!outcome.fresh()) {
            duplicates.incrementAndGet();
            log.info("duplicate event ignored id={} room={} seq={}", event.id(), event.room(), event.seq());
            return;
        }
        accepted.incrementAndGet();
        if (event.type() == haven.protocol.EventType.WORRY_REPORTED) {
            onWorryLogged.accept(java.time.Duration.between(event.at(), now));
        }
        log.info("event logged id={} room={} seq={} type={}", event.id(), event.room(), event.seq(), event.type().wire());
        outcome.room().ifPresent(feed::roomChanged);
        outcome.incident().ifPresent(feed::incidentChanged);
        outcome.isolation().ifPresent(feed::isolationChanged);
    }

    private void onStatus(String topic, byte[] payload, Topics.StatusTopic statusTopic) {
        if (payload.length == 0) {
            return; // a cleared retained message: the room was decommissioned
        }
        HubStatus status;
        try {
            status = HubStatus.decode(payload);
        } catch (ContractViolation e) {
            reject(topic, payload, e.getMessage());
            return;
        }
        Instant now = clock.instant();
        try {
            Optional<RoomView> room = db.inTransaction(c -> rooms.presence(c, statusTopic.room(), status, now));
            log.info("presence room={} online={}", statusTopic.room(), status.online());
            room.ifPresent(feed::roomChanged);
        } catch (SQLException e) {
            throw new MqttLink.RetryLater("presence commit failed: " + e.getMessage(), e);
        }
    }

    private void reject(String topic, byte[] payload, String reason) {
        rejected.incrementAndGet();
        log.warn("payload rejected topic={} size={} reason={}", topic, payload.length, reason);
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO rejected(received_at, topic, reason, size, payload) VALUES (?,?,?,?,?)")) {
                    ps.setString(1, Json.time(clock.instant()));
                    ps.setString(2, topic.length() > 512 ? topic.substring(0, 512) : topic);
                    ps.setString(3, reason);
                    ps.setInt(4, payload.length);
                    ps.setBytes(5, payload.length > KEEP_REJECTED_BYTES ? Arrays.copyOf(payload, KEEP_REJECTED_BYTES) : payload);
                    ps.executeUpdate();
                }
                count(c, "rejected");
                return null;
            });
        } catch (SQLException e) {
            throw new MqttLink.RetryLater("rejected-payload commit failed: " + e.getMessage(), e);
        }
    }

    private static void count(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO counters(name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = counters.value + 1")) {
            ps.setString(1, name);
            ps.executeUpdate();
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
}
