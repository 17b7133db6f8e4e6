package haven.mqtt;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Paho MQTT v3.1.1 connection that stays up. We reconnect ourselves, with capped back-off and a fresh
 * Paho client object per attempt, instead of Paho's automatic reconnect: under load Paho 1.2.5 can hang
 * for ever in CommsSender.start on an automatic reconnect (seen in our broker-restart test), and its
 * automatic reconnect never starts if the first connect fails. Subscriptions are re-made on every connect
 * (Paho does not resubscribe with cleanSession=true, paho.mqtt.java #493).
 *
 * <p>Subscription handlers run inside Paho's messageArrived: Paho sends the PUBACK only after it returns,
 * so a handler that commits to SQLite gets at-least-once delivery (#549). Handlers must not publish
 * (#310) and must not throw (an exception drops the connection); both are enforced here.
 */
public final class MqttLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttLink.class);
    private static final int MAX_INFLIGHT = 256;

    public record Will(String topic, byte[] payload) {
    }

    @FunctionalInterface
    public interface MessageHandler {
        void onMessage(String topic, byte[] payload, boolean retained);
    }

    /**
     * Thrown by a handler that could not make a message durable (e.g. the database refused the commit):
     * the message is not acknowledged, the connection is dropped, and the broker delivers it again.
     */
    public static final class RetryLater extends RuntimeException {
        public RetryLater(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** A handler that acknowledges the message itself, once it is safely stored (manual acks). */
    @FunctionalInterface
    public interface AckedHandler {
        void onMessage(String topic, byte[] payload, boolean retained, Runnable ack);
    }

    private record Subscription(String filter, MessageHandler handler, AckedHandler acked) {
    }

    private final MqttSettings settings;
    private volatile MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<Runnable> onConnected = new CopyOnWriteArrayList<>();
    private final List<Runnable> onLost = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqtt-connect");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService callbacks = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicBoolean everConnected = new AtomicBoolean();
    private volatile boolean manualAcks;

    public MqttLink(MqttSettings settings, Will will) {
        this.settings = settings;
        this.client = newClient();
        this.options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(settings.cleanSession());
        options.setKeepAliveInterval(settings.keepAliveSeconds());
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        // Paho's default of 10 gives "Too many publishes in progress (32202)" under bursts (#551).
        options.setMaxInflight(MAX_INFLIGHT);
        if (settings.username() != null) {
            options.setUserName(settings.username());
            options.setPassword(settings.password());
        }
        if (will != null) {
            options.setWill(will.topic(), will.payload(), 1, true);
        }
    }

    private MqttAsyncClient newClient() {
        try {
            MqttAsyncClient fresh = new MqttAsyncClient(settings.serverUri(), settings.clientId(), new MemoryPersistence());
            fresh.setCallback(new Callback(fresh));
            fresh.setManualAcks(manualAcks);
            return fresh;
        } catch (MqttException e) {
            throw new IllegalArgumentException("mqtt server '" + settings.serverUri() + "': " + e.getMessage(), e);
        }
    }

    /** Registers a subscription; it is (re)made on every connect. Call before {@link #start()}. */
    public void subscribe(String filter, MessageHandler handler) {
        subscriptions.add(new Subscription(filter, handler, null));
    }

    /** A subscription whose handler acknowledges later, from any thread; needs {@link #useManualAcks()}. */
    public void subscribe(String filter, AckedHandler handler) {
        subscriptions.add(new Subscription(filter, null, handler));
    }

    /**
     * Acknowledge incoming QoS 1 messages by hand rather than when the callback returns, so a consumer can
     * commit many messages in one transaction before the broker forgets any of them. Call before start().
     */
    public void useManualAcks() {
        manualAcks = true;
        client.setManualAcks(true);
    }

    /** Drops the connection and reconnects: the broker then redelivers every message not yet acknowledged. */
    public void dropConnection() {
        MqttAsyncClient old = client;
        retry.execute(() -> {
            if (closed.get() || old != client) {
                return;
            }
            client = newClient();
            discard(old);
            log.warn("mqtt connection dropped on purpose client={} (unacknowledged messages will be redelivered)", settings.clientId());
            connectOnce();
        });
    }

    /** Runs on a worker thread after every successful connect (first and reconnects). */
    public void onConnected(Runnable action) {
        onConnected.add(action);
    }

    /** Runs on a worker thread when the connection drops. */
    public void onConnectionLost(Runnable action) {
        onLost.add(action);
    }

    public void start() {
        retry.execute(this::connectOnce);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /** Connected, and every subscription of this link has been acknowledged by the broker since. */
    public boolean isSubscribed() {
        return subscribed && client.isConnected();
    }

    public long reconnects() {
        return reconnects.get();
    }

    public String clientId() {
        return settings.clientId();
    }

    /** Publishes at QoS 1; the returned delivery completes on PUBACK. Fails at once if not connected. */
    public Delivery publish(String topic, byte[] payload, boolean retained) throws PublishFailed {
        try {
            return new Delivery(client.publish(topic, payload, 1, retained));
        } catch (MqttException e) {
            throw new PublishFailed(e.getMessage(), e);
        }
    }

    /** Publishes and waits for the PUBACK, up to {@code timeout}. */
    public void publishAndWait(String topic, byte[] payload, boolean retained, Duration timeout) throws PublishFailed {
        publish(topic, payload, retained).awaitPubAck(timeout);
    }

    private void connectOnce() {
        long delay = 1;
        while (!closed.get() && !client.isConnected()) {
            MqttAsyncClient attempt = client;
            try {
                attempt.connect(options).waitForCompletion(options.getConnectionTimeout() * 1000L + 1000);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() == MqttException.REASON_CODE_CLIENT_CONNECTED) {
                    return;
                }
                log.warn("mqtt connect failed client={} server={} reason=\"{}\" retryInSeconds={}",
                        settings.clientId(), settings.serverUri(), ConnectFailure.describe(e), delay);
                // A failed or hung attempt can leave Paho's internals half-started: never reuse it.
                discard(attempt);
                if (!closed.get()) {
                    client = newClient();
                }
            }
            try {
                Thread.sleep(Duration.ofSeconds(delay));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            delay = Math.min(delay * 2, 10);
        }
    }

    private static void discard(MqttAsyncClient old) {
        try {
            old.disconnectForcibly(0, 0, false);
        } catch (MqttException | RuntimeException ignored) {
            // already down
        }
        try {
            old.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // already closed
        }
    }

    /** Set once the subscriptions are acknowledged after a connect; cleared when the connection is lost. */
    private volatile boolean subscribed;

    private boolean resubscribe() {
        boolean all = true;
        for (Subscription s : subscriptions) {
            try {
                client.subscribe(s.filter(), 1).waitForCompletion(10_000);
            } catch (MqttException e) {
                all = false;
                log.warn("mqtt subscribe failed client={} filter={} reason={}", settings.clientId(), s.filter(), e.getMessage());
            }
        }
        return all;
    }

    private final class Callback implements MqttCallbackExtended {
        private final MqttAsyncClient owner;

        Callback(MqttAsyncClient owner) {
            this.owner = owner;
        }

        @Override
        public void connectComplete(boolean ignoredPahoFlag, String serverURI) {
            boolean reconnect = everConnected.getAndSet(true);
            if (reconnect) {
                reconnects.incrementAndGet();
            }
            log.info("mqtt connected client={} server={} reconnect={}", settings.clientId(), serverURI, reconnect);
            // Subscribing or publishing inside connectComplete can deadlock Paho (#985, #999): hand it off.
            callbacks.execute(() -> {
                subscribed = resubscribe();
                onConnected.forEach(action -> {
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        log.error("on-connect action failed client={}", settings.clientId(), e);
                    }
                });
            });
        }

        @Override
        public void connectionLost(Throwable cause) {
            subscribed = false;
            log.warn("mqtt connection lost client={} reason={}", settings.clientId(),
                    cause == null ? "unknown" : cause.getMessage());
            callbacks.execute(() -> onLost.forEach(Runnable::run));
            if (!closed.get() && owner == client) {
                // Reconnect on a fresh client object; the old one is closed off this thread.
                retry.execute(() -> {
                    discard(owner);
                    if (!closed.get() && owner == client) {
                        client = newClient();
                    }
                    connectOnce();
                });
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            Runnable ack = () -> {
                try {
                    owner.messageArrivedComplete(message.getId(), message.getQos());
                } catch (MqttException | RuntimeException e) {
                    // This connection is gone; the broker redelivers the message on the next one.
                    log.debug("ack not sent client={} reason={}", settings.clientId(), e.getMessage());
                }
            };
            boolean handedOn = false;
            for (Subscription s : subscriptions) {
                if (matches(s.filter(), topic)) {
                    if (s.acked() != null) {
                        if (!handedOn) {
                            // One message, one owner of its acknowledgement, even if two filters match it.
                            s.acked().onMessage(topic, message.getPayload(), message.isRetained(), ack);
                            handedOn = true;
                        }
                        continue;
                    }
                    try {
                        s.handler().onMessage(topic, message.getPayload(), message.isRetained());
                    } catch (RetryLater e) {
                        log.error("message not stored, will be redelivered client={} topic={} reason={}",
                                settings.clientId(), topic, e.getMessage());
                        throw e;
                    } catch (RuntimeException e) {
                        // Never let an exception reach Paho: it would drop the connection (#549).
                        log.error("mqtt handler failed client={} topic={}", settings.clientId(), topic, e);
                    }
                }
            }
            if (manualAcks && !handedOn) {
                ack.run();
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // Completion is observed through the publish tokens.
        }
    }

    /** MQTT topic filter matching with + and # wildcards; a shared subscription matches by its filter part. */
    static boolean matches(String filter, String topic) {
        if (filter.startsWith("$share/")) {
            int groupEnd = filter.indexOf('/', "$share/".length());
            filter = groupEnd < 0 ? "" : filter.substring(groupEnd + 1);
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Disconnects cleanly after publishing {@code farewell} (if any) so presence is right without the Will. */
    public void close(String farewellTopic, byte[] farewell) {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            if (farewellTopic != null && client.isConnected()) {
                client.publish(farewellTopic, farewell, 1, true).waitForCompletion(2000);
            }
        } catch (MqttException e) {
            log.warn("mqtt farewell failed client={} reason={}", settings.clientId(), e.getMessage());
        }
        retry.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
        } catch (MqttException e) {
            log.debug("mqtt disconnect client={} reason={}", settings.clientId(), e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("mqtt close client={} reason={}", settings.clientId(), e.getMessage());
        }
        callbacks.shutdownNow();
        try {
            retry.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(null, null);
    }
}
