package haven.bench;

import haven.testkit.Mosquitto;
import haven.classroom.Hub;
import haven.coordinator.Coordinator;
import haven.mqtt.MqttLink;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.protocol.UuidV7;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
 * Press to dashboard with many hubs connected, beside the raw broker round trip on the same broker.
 *
 * <p>The hubs: {@code --full-hubs} complete {@link Hub}s (mock GPIO, SQLite outbox with synchronous=FULL,
 * outbox publisher, kiosk server) take the presses; the other {@code hubs - full-hubs} are presence-only
 * hubs, each a real {@link MqttLink} (its own Paho connection, Last Will, retained status, command
 * subscription, 30 s keepalive) as the full hub uses. A press is {@code POST /api/sim/button} on a full
 * hub's kiosk server, which drives the Pi4J mock input through the debouncer exactly as a real edge does;
 * the clock starts before the HTTP request and stops when the incident frame for that room reaches a
 * logged-in dashboard WebSocket. Between the two: hub outbox commit (fsync), publish, PUBACK, coordinator
 * ingest commit (fsync), live feed push.
 *
 * <p>The limit: a bare Paho publisher to a bare Paho subscriber, QoS 1, same payload size, interleaved
 * with the presses (one press, then one raw round trip) so both see the same broker and machine load.
 * The floor adds what the evidence rules make unavoidable ({@link FloorProbe}): two single-row fsync'd
 * SQLite commits on the same disk and one loopback HTTP request, measured right after each raw round trip.
 */
@Command(name = "latency", mixinStandardHelpOptions = true, description = "Press -> dashboard WebSocket latency with N hubs, vs raw Paho pub->sub round trip.")
final class LatencyBench implements Callable<Integer> {
    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--hubs", defaultValue = "1000", description = "hubs connected to the broker (default: ${DEFAULT-VALUE})")
    int hubs;

    @Option(names = "--full-hubs", defaultValue = "10", description = "of those, complete Hub instances that take the presses (default: ${DEFAULT-VALUE})")
    int fullHubs;

    @Option(names = "--presses", defaultValue = "500", description = "measured presses, and as many raw round trips (default: ${DEFAULT-VALUE})")
    int presses;

    @Option(names = "--warmup", defaultValue = "50", description = "unmeasured presses first, for the JIT (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--interval-ms", defaultValue = "40", description = "pause after each press and each raw round trip (default: ${DEFAULT-VALUE})")
    int intervalMs;

    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (hubs < 1 || fullHubs < 1 || fullHubs > hubs || presses < 1 || warmup < 0 || intervalMs < 0) {
            throw new IllegalArgumentException("need 1 <= --full-hubs <= --hubs, --presses >= 1, --warmup >= 0, --interval-ms >= 0");
        }
        // A hub's button must be released (120 ms hold) and quiet for the debounce (50 ms) before its next press.
        int minInterval = (int) Math.ceil(300.0 / (2 * fullHubs));
        if (intervalMs < minInterval) {
            out.printf("note: --interval-ms raised to %d so each hub's presses are >= 300 ms apart (debounce + hold)%n", minInterval);
            intervalMs = minInterval;
        }
        long benchDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try (Workspace ws = Workspace.create(options, "latency");
             Mosquitto broker = Mosquitto.forBenchmark(ws.dir())) {
            Clock clock = Clock.systemUTC();
            Coordinator coordinator = Coordinator.start(BenchConfigs.coordinator(broker.port(), ws.dir()), clock);
            BenchFleet fleet = null;
            MqttAsyncClient rawPub = null;
            MqttAsyncClient rawSub = null;
            MqttAsyncClient tap = null;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try (StaffDashboard dashboard = StaffDashboard.open(coordinator, true);
                 FloorProbe floorProbe = FloorProbe.open(ws.resolve("floor.db"))) {
                fleet = BenchFleet.start(coordinator, broker.port(), ws.resolve("hubs"), hubs, fullHubs, "press", h -> {
                }, clock, out);
                List<Hub> full = fleet.full();

                BlockingQueue<Long> rawArrivals = new ArrayBlockingQueue<>(16);
                rawSub = RawMqtt.connect(broker.uri(), "bench-raw-sub", 256);
                rawSub.setCallback(new MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                    }

                    @Override
                    public void messageArrived(String topic, MqttMessage message) {
                        rawArrivals.offer(System.nanoTime());
                    }

                    @Override
                    public void deliveryComplete(IMqttDeliveryToken token) {
                    }
                });
                rawSub.subscribe("bench/raw/#", 1).waitForCompletion(10_000);
                rawPub = RawMqtt.connect(broker.uri(), "bench-raw-pub", 256);
                // A tap on the hubs' event topics splits each press into the hub's part (press -> event on
                // the broker) and the coordinator's part (event -> dashboard frame).
                BlockingQueue<Long> tapArrivals = new ArrayBlockingQueue<>(64);
                tap = RawMqtt.connect(broker.uri(), "bench-event-tap", 256);
                tap.setCallback(new MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                    }

                    @Override
                    public void messageArrived(String topic, MqttMessage message) {
                        if (topic.contains("/press-")) {
                            tapArrivals.offer(System.nanoTime());
                        }
                    }

                    @Override
                    public void deliveryComplete(IMqttDeliveryToken token) {
                    }
                });
                tap.subscribe(Topics.ALL_EVENTS, 1).waitForCompletion(10_000);
                byte[] rawPayload = samplePayload(clock);

                long[] press = new long[presses];
                long[] raw = new long[presses];
                long[] hubPart = new long[presses];
                long[] coordinatorPart = new long[presses];
                long[] httpPart = new long[presses];
                long[] floor = new long[presses];
                long[] floorCommits = new long[presses];
                long[] floorHttp = new long[presses];
                int pressed = 0;
                int rawDone = 0;
                int pressTimeouts = 0;
                int rawTimeouts = 0;
                for (int round = 0; round < warmup + presses && System.nanoTime() < benchDeadline; round++) {
                    Hub hub = full.get(round % fullHubs);
                    dashboard.discardFrames();
                    tapArrivals.clear();
                    long t0 = System.nanoTime();
                    HttpResponse<Void> res = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/sim/button")).timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                    if (res.statusCode() != 202) {
                        throw new IllegalStateException("sim button refused: HTTP " + res.statusCode());
                    }
                    long answered = System.nanoTime();
                    StaffDashboard.Frame frame = dashboard.nextIncident(hub.config().room().room(), FRAME_TIMEOUT);
                    Long tapped = tapArrivals.poll(FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if (frame == null) {
                        pressTimeouts++;
                    } else if (round >= warmup) {
                        httpPart[pressed] = answered - t0;
                        hubPart[pressed] = tapped == null ? 0 : tapped - t0;
                        coordinatorPart[pressed] = tapped == null ? 0 : frame.receivedNanos() - tapped;
                        press[pressed++] = frame.receivedNanos() - t0;
                    }
                    Thread.sleep(intervalMs);

                    rawArrivals.clear();
                    long r0 = System.nanoTime();
                    rawPub.publish("bench/raw/probe", rawPayload, 1, false);
                    Long arrived = rawArrivals.poll(FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    // The floor's other parts right after the raw round trip, so all three see the same moment's load.
                    long commits = floorProbe.twoCommitsNanos(new String(rawPayload, java.nio.charset.StandardCharsets.UTF_8));
                    long loopback = floorProbe.httpNanos();
                    if (arrived == null) {
                        rawTimeouts++;
                    } else if (round >= warmup) {
                        floorCommits[rawDone] = commits;
                        floorHttp[rawDone] = loopback;
                        floor[rawDone] = arrived - r0 + commits + loopback;
                        raw[rawDone++] = arrived - r0;
                    }
                    Thread.sleep(intervalMs);
                }
                Latencies ours = Latencies.of(press, pressed);
                Latencies limit = Latencies.of(raw, rawDone);
                Latencies physical = Latencies.of(floor, rawDone);
                long stillOnline = OnlineRooms.count(coordinator);
                ProcStatus self = ProcStatus.self();
                out.printf(Locale.ROOT, "haven bench latency: hubs=%d (full=%d) presses=%d warmup=%d interval=%d ms payload=%d B%n",
                        hubs, fullHubs, presses, warmup, intervalMs, rawPayload.length);
                out.println("press -> dashboard frame      " + ours.line() + (pressTimeouts > 0 ? " timeouts=" + pressTimeouts : ""));
                out.println("floor (raw + 2 commits + HTTP) " + physical.line());
                out.println("raw paho pub -> sub (QoS 1)   " + limit.line() + (rawTimeouts > 0 ? " timeouts=" + rawTimeouts : ""));
                out.println("  floor part: 2 single-row fsync'd SQLite commits  " + Latencies.of(floorCommits, rawDone).line());
                out.println("  floor part: 1 loopback HTTP POST (202)           " + Latencies.of(floorHttp, rawDone).line());
                out.println("  of which: POST /api/sim/button answered  " + Latencies.of(httpPart, pressed).line());
                out.println("  of which: press -> event on the broker  " + Latencies.of(hubPart, pressed).line()
                        + "   (hub: GPIO mock edge, debounce, outbox commit, publish)");
                out.println("  of which: event on broker -> frame      " + Latencies.of(coordinatorPart, pressed).line()
                        + "   (coordinator: ingest commit, live feed push)");
                out.printf(Locale.ROOT, "ratio haven/raw: p50=%.1fx p99=%.1fx max=%.1fx%n",
                        ours.p50() / limit.p50(), ours.p99() / limit.p99(), ours.max() / limit.max());
                out.printf(Locale.ROOT, "ratio haven/floor: p50=%.1fx p99=%.1fx max=%.1fx%n",
                        ours.p50() / physical.p50(), ours.p99() / physical.p99(), ours.max() / physical.max());
                out.printf(Locale.ROOT, "target (issue 20): p50 <= 2x floor -> %s; p99 < 10 ms -> %s%n",
                        ours.p50() <= 2 * physical.p50() ? "met" : "missed", ours.p99() < 10 ? "met" : "missed");
                out.printf(Locale.ROOT, "rooms online at end=%d; bench JVM (coordinator + all hubs): rss=%.0f MiB threads=%d%n",
                        stillOnline, self.rssMib(), self.threads());
                out.flush();
            } finally {
                RawMqtt.close(rawPub);
                RawMqtt.close(rawSub);
                RawMqtt.close(tap);
                http.close();
                coordinator.close();
                if (fleet != null) {
                    fleet.close();
                }
            }
        }
        return 0;
    }

    /** The bytes of a real first-press event, so the raw round trip carries the same size. */
    static byte[] samplePayload(Clock clock) {
        Event event = new Event(new UuidV7(clock).next().toString(), 1, EventType.WORRY_REPORTED,
                new RoomId(BenchConfigs.SITE, "press-00001"), clock.instant(), Json.object().put("presses", 1));
        return new EventCodec().encode(event);
    }
}
