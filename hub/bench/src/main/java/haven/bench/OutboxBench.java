package haven.bench;

import haven.classroom.outbox.Outbox;
import haven.classroom.outbox.OutboxPublisher;
import haven.mqtt.MqttLink;
import haven.mqtt.MqttSettings;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.protocol.UuidV7;
import haven.store.Database;
import haven.testkit.Mosquitto;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The hub's outbox and its publisher alone (no kiosk, no coordinator): a real SQLite outbox
 * (synchronous=FULL), the real {@link OutboxPublisher} on a real {@link MqttLink}, a bare Paho subscriber
 * on the event topic. Two figures: append -> arrival at the subscriber for events appended
 * {@code --spaced-ms} apart (the press path's hub part after the HTTP request), and the time to drain
 * {@code --burst} events appended at once (a backlog after an outage, without the pacing: maxPerSecond is
 * raised to 10,000). Uses only the publisher's public API, so the same class measures another build's
 * publisher on its class path.
 */
@Command(name = "outbox", mixinStandardHelpOptions = true, description = "Hub outbox -> broker: append -> arrival latency and burst drain time (the hub's publisher alone).")
final class OutboxBench implements Callable<Integer> {
    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--spaced", defaultValue = "300", description = "events appended one at a time (default: ${DEFAULT-VALUE})")
    int spaced;

    @Option(names = "--spaced-ms", defaultValue = "20", description = "pause between the spaced appends (default: ${DEFAULT-VALUE})")
    int spacedMs;

    @Option(names = "--burst", defaultValue = "2000", description = "events appended at once, then drained (default: ${DEFAULT-VALUE})")
    int burst;

    @Option(names = "--window", defaultValue = "32", description = "the publisher's window, as outbox.window (default: ${DEFAULT-VALUE})")
    int window;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (spaced < 1 || burst < 1 || spacedMs < 0 || window < 1) {
            throw new IllegalArgumentException("need --spaced >= 1, --burst >= 1, --spaced-ms >= 0, --window >= 1");
        }
        Clock clock = Clock.systemUTC();
        RoomId room = new RoomId(BenchConfigs.SITE, "outbox-00001");
        try (Workspace ws = Workspace.create(options, "outbox");
             Mosquitto broker = Mosquitto.forBenchmark(ws.dir());
             Database db = Database.open(ws.resolve("outbox.db"), "db/hub")) {
            Map<Long, Long> appended = new ConcurrentHashMap<>();
            Map<Long, Long> arrived = new ConcurrentHashMap<>();
            AtomicLong arrivals = new AtomicLong();
            MqttAsyncClient sub = RawMqtt.connect(broker.uri(), "bench-outbox-sub", 1000);
            sub.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    long now = System.nanoTime();
                    long seq = Json.parse(message.getPayload()).path("seq").asLong();
                    arrived.putIfAbsent(seq, now);
                    arrivals.incrementAndGet();
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            sub.subscribe(Topics.ALL_EVENTS, 1).waitForCompletion(10_000);
            Outbox outbox = new Outbox(db, new EventCodec(), new UuidV7(clock), clock, room);
            MqttLink link = new MqttLink(MqttSettings.local(broker.port(), "haven-hub-bench-outbox", 30, true), null);
            OutboxPublisher publisher = new OutboxPublisher(outbox, link, window, 10_000);
            try {
                // The backlog first: --burst events committed while the publisher is not yet running (as after
                // an outage), then the time from its start to the last one acknowledged and marked sent.
                long firstBurstSeq = outbox.lastSeq() + 1;
                for (int i = 0; i < burst; i++) {
                    outbox.append(EventType.SWITCH_CHANGED, Json.object().put("on", i % 2 == 0));
                }
                link.start();
                long connectBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (!link.isConnected() && System.nanoTime() < connectBy) {
                    Thread.sleep(20);
                }
                long b0 = System.nanoTime();
                publisher.start();
                publisher.wake();
                long drainBy = b0 + TimeUnit.SECONDS.toNanos(120);
                while (publisher.published() < burst && System.nanoTime() < drainBy) {
                    Thread.sleep(2);
                }
                long drained = System.nanoTime();
                long[] latency = new long[spaced];
                int got = 0;
                for (int i = 0; i < spaced; i++) {
                    long t0 = System.nanoTime();
                    long seq = outbox.append(EventType.SWITCH_CHANGED, Json.object().put("on", i % 2 == 0)).seq();
                    appended.put(seq, t0);
                    publisher.wake();
                    Thread.sleep(spacedMs);
                }
                awaitArrivals(arrived, spaced + burst, 30);
                for (Map.Entry<Long, Long> e : appended.entrySet()) {
                    Long at = arrived.get(e.getKey());
                    if (at != null && got < latency.length) {
                        latency[got++] = at - e.getValue();
                    }
                }
                Latencies spacedFigures = Latencies.of(latency, got);

                long burstArrived = arrived.keySet().stream().filter(s -> s >= firstBurstSeq).count();
                out.printf(Locale.ROOT, "haven bench outbox: window=%d spaced=%d every %d ms, burst=%d (maxPerSecond raised to 10000)%n",
                        window, spaced, spacedMs, burst);
                out.println("append -> arrival, spaced      " + spacedFigures.line());
                out.printf(Locale.ROOT, "backlog of %d: acknowledged and marked sent %.3f s after the publisher started = %.0f events/s; "
                                + "arrived=%d; messages received=%d for %d events%n",
                        burst, (drained - b0) / 1e9, burst / ((drained - b0) / 1e9), burstArrived, arrivals.get(), spaced + burst);
                out.flush();
            } finally {
                publisher.close();
                link.close();
                RawMqtt.close(sub);
            }
        }
        return 0;
    }

    private static void awaitArrivals(Map<Long, Long> arrived, int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (arrived.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
