package haven.bench;

import haven.testkit.Mosquitto;
import haven.coordinator.Coordinator;
import haven.coordinator.Incidents;
import haven.coordinator.Rooms;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import haven.coordinator.evidence.EventLog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Durable ingest throughput vs raw QoS 1 throughput, on one broker.
 *
 * <p>The same {@code --events} contract events (worry.reported, spread over {@code --rooms} rooms, seq in
 * order per room) are published twice by the same Paho publishers with the same in-flight window: first
 * to a bare Paho subscriber (raw: time from first publish to last messageArrived), then to their real
 * topics where the coordinator ingests them (time from first publish to the last incident frame on one
 * logged-in dashboard WebSocket, i.e. committed to SQLite with synchronous=FULL and pushed). The broker
 * queues what the coordinator has not taken yet (max_queued_messages is raised), so the coordinator runs
 * flat out: this is its maximum sustained rate, also given over the middle 80 % of the run.
 *
 * <p>The "what if" lines replay fresh events through the coordinator's own SQL classes (EventLog,
 * Incidents, Rooms) on a separate database, committing every N events instead of every event: the
 * evidence for batching commits in Ingest (docs/PERFORMANCE.md). Ingest itself is not changed.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = "Max durable ingest (SQLite commit + WebSocket push) vs raw Mosquitto QoS 1 throughput.")
final class IngestBench implements Callable<Integer> {
    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "30000", description = "events per phase (default: ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--rooms", defaultValue = "100", description = "rooms the events come from (default: ${DEFAULT-VALUE})")
    int rooms;

    @Option(names = "--publishers", defaultValue = "4", description = "publishing Paho clients (default: ${DEFAULT-VALUE})")
    int publishers;

    @Option(names = "--window", defaultValue = "100", description = "QoS 1 publishes in flight per publisher (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--prefill", defaultValue = "0",
            description = "also measure ingest into a log that already holds this many events over the same rooms "
                    + "(built directly in SQL, chain verified), printed beside the empty-log figure (default: ${DEFAULT-VALUE}: skip)")
    int prefill;

    @Option(names = "--warmup-events", defaultValue = "0",
            description = "first run this many events through a throwaway coordinator (its own rooms and database, not measured), "
                    + "so the measured one runs on a warm JVM as the raw side does and as a long-running coordinator would "
                    + "(default: ${DEFAULT-VALUE}: cold, as in the earlier figures)")
    int warmupEvents;

    @Option(names = "--timeout-s", defaultValue = "240", description = "give up on a phase after this long (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--what-if", defaultValue = "1,16,64,256", split = ",",
            description = "events per commit to replay through the coordinator's SQL (default: ${DEFAULT-VALUE}; empty to skip)")
    List<Integer> batchSizes;

    @Option(names = "--what-if-events", defaultValue = "3000", description = "events per what-if replay (default: ${DEFAULT-VALUE})")
    int whatIfEvents;

    record Message(String topic, byte[] payload, Event event, int room) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (events < 10 || rooms < 1 || publishers < 1 || window < 1 || window > 1000 || prefill < 0 || prefill > 20_000_000
                || warmupEvents < 0) {
            throw new IllegalArgumentException("need --events >= 10, --rooms >= 1, --publishers >= 1, 1 <= --window <= 1000, "
                    + "0 <= --prefill <= 20000000, --warmup-events >= 0");
        }
        Clock clock = Clock.systemUTC();
        try (Workspace ws = Workspace.create(options, "ingest");
             Mosquitto broker = Mosquitto.forBenchmark(ws.dir())) {
            List<Message> messages = worries(events, rooms, clock, "ingest");
            out.printf(Locale.ROOT, "haven bench ingest: events=%d rooms=%d publishers=%d window=%d payload~%d B%n",
                    events, rooms, publishers, window, messages.get(0).payload().length);

            // Raw: the same bytes to a bare subscriber.
            AtomicLong rawCount = new AtomicLong();
            AtomicLong rawLast = new AtomicLong();
            long[] rawArrivals = new long[events];
            AtomicLong rawTarget = new AtomicLong(events);
            CountDownLatch[] rawAll = {new CountDownLatch(1)};
            MqttAsyncClient rawSub = RawMqtt.connect(broker.uri(), "bench-raw-sub", 1000);
            rawSub.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    long now = System.nanoTime();
                    rawLast.set(now);
                    long n = rawCount.incrementAndGet();
                    if (n <= rawArrivals.length) {
                        rawArrivals[(int) n - 1] = now;
                    }
                    if (n == rawTarget.get()) {
                        rawAll[0].countDown();
                    }
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            rawSub.subscribe("bench/raw/#", 1).waitForCompletion(10_000);
            List<Message> rawMessages = messages.stream().map(m -> new Message("bench/raw/" + m.topic(), m.payload(), m.event(), m.room())).toList();
            // An unmeasured pass first: the raw side would otherwise pay the JIT warm-up and flatter our ratio.
            rawTarget.set(Math.min(events, 2000));
            publishAll(broker.uri(), "warmup", rawMessages.subList(0, (int) rawTarget.get()));
            rawAll[0].await(timeoutSeconds, TimeUnit.SECONDS);
            rawCount.set(0);
            rawTarget.set(events);
            rawAll[0] = new CountDownLatch(1);
            long r0 = System.nanoTime();
            long rawPublished = publishAll(broker.uri(), "raw", rawMessages);
            rawAll[0].await(timeoutSeconds, TimeUnit.SECONDS);
            double rawSeconds = (rawLast.get() - r0) / 1e9;
            double rawRate = rawCount.get() / rawSeconds;
            double rawMiddle = middleRate(rawArrivals, (int) rawCount.get());
            RawMqtt.close(rawSub);
            out.printf(Locale.ROOT, "raw QoS 1 pub -> sub          %d msgs in %.2f s = %.0f msg/s (middle 80%%: %.0f/s; publishers done in %.2f s)%n",
                    rawCount.get(), rawSeconds, rawRate, rawMiddle, (rawPublished - r0) / 1e9);
            out.flush();

            if (warmupEvents > 0) {
                Path dir = ws.resolve("warmup-log");
                java.nio.file.Files.createDirectories(dir);
                Phase warm = havenPhase(broker, worries(warmupEvents, rooms, clock, "warmup"), dir, clock);
                out.println("haven ingest warm-up (unmeasured, other rooms and database) " + warm.line());
                out.flush();
            }
            // Haven: the coordinator commits and pushes every event.
            Phase empty = havenPhase(broker, messages, prefill > 0 ? ws.resolve("empty-log") : ws.dir(), clock);
            out.println("haven ingest commit + push    " + empty.line());
            out.printf(Locale.ROOT, "ratio haven/raw = %.1f%% whole run, %.1f%% middle 80%% (target >= 50%%: %s)%n",
                    100 * empty.rate() / rawRate, 100 * empty.middle() / rawMiddle, empty.rate() >= rawRate / 2 ? "met" : "missed");
            out.flush();
            if (prefill > 0) {
                Path dir = ws.resolve("prefilled-log");
                java.nio.file.Files.createDirectories(dir);
                long p0 = System.nanoTime();
                long[] lastSeq = PrefilledLog.build(dir.resolve("coordinator.db"), prefill, rooms, "ingest", clock);
                double built = (System.nanoTime() - p0) / 1e9;
                long v0 = System.nanoTime();
                EventLog.Verification check = PrefilledLog.verify(dir.resolve("coordinator.db"));
                out.printf(Locale.ROOT, "prefill: %d events over the same %d rooms built in %.1f s; chain %s (%d rows checked in %.1f s)%n",
                        prefill, rooms, built, check.intact() ? "verifies" : "BROKEN " + check.firstBreak().orElseThrow(),
                        check.checked(), (System.nanoTime() - v0) / 1e9);
                if (!check.intact()) {
                    throw new IllegalStateException("the prefilled chain does not verify; the prefilled figure would mean nothing");
                }
                Phase full = havenPhase(broker, worries(events, rooms, clock, "ingest", lastSeq), dir, clock);
                out.println("haven ingest, prefilled log   " + full.line());
                out.printf(Locale.ROOT, "empty log vs %d-event log: %.0f vs %.0f events/s whole run (%.1f%%), %.0f vs %.0f middle 80%% (%.1f%%); "
                                + "target within 10%%: %s%n",
                        prefill, empty.rate(), full.rate(), 100 * full.rate() / empty.rate(), empty.middle(), full.middle(),
                        100 * full.middle() / empty.middle(), full.rate() >= 0.9 * empty.rate() ? "met" : "missed");
                out.printf(Locale.ROOT, "ratio haven/raw with the prefilled log = %.1f%% whole run%n", 100 * full.rate() / rawRate);
                out.flush();
            }

            for (int batch : batchSizes == null ? List.<Integer>of() : batchSizes) {
                Replay whatIf = replay(ws, batch, clock);
                out.printf(Locale.ROOT, "what if: %4d events per commit, same SQL (EventLog + Incidents + Rooms), no MQTT: %.0f events/s, %.0f us CPU per event%n",
                        batch, whatIf.rate(), whatIf.cpuMicrosPerEvent());
                out.flush();
            }
        }
        return 0;
    }

    record Phase(long pushed, double seconds, double rate, double middle, long accepted, long duplicates, long rejected,
                 double publishersSeconds) {
        String line() {
            return String.format(Locale.ROOT, "%d events in %.2f s = %.0f events/s (middle 80%%: %.0f/s; "
                    + "accepted=%d duplicates=%d rejected=%d; publishers done in %.2f s)", pushed, seconds, rate, middle,
                    accepted, duplicates, rejected, publishersSeconds);
        }
    }

    /** One coordinator on the database in {@code dir} takes every message: commit + push, flat out. */
    private Phase havenPhase(Mosquitto broker, List<Message> messages, Path dir, Clock clock) throws Exception {
        Coordinator coordinator = Coordinator.start(BenchConfigs.coordinator(broker.port(), dir), clock);
        try (StaffDashboard dashboard = StaffDashboard.open(coordinator, false)) {
            awaitSubscribed(coordinator);
            dashboard.recordIncidentArrivals(messages.size());
            long before = dashboard.incidentFrames();
            long h0 = System.nanoTime();
            long published = publishAll(broker.uri(), "haven", messages);
            long deadline = h0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (dashboard.incidentFrames() - before < messages.size() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long pushed = dashboard.incidentFrames() - before;
            double seconds = (dashboard.lastIncidentNanos() - h0) / 1e9;
            return new Phase(pushed, seconds, pushed / seconds, middleRate(dashboard.incidentArrivals(), (int) pushed),
                    coordinator.ingest().accepted(), coordinator.ingest().duplicates(), coordinator.ingest().rejected(),
                    (published - h0) / 1e9);
        } finally {
            coordinator.close();
        }
    }

    /** Events per second between the 10th and the 90th percentile arrival: the run without its ramp and tail. */
    static double middleRate(long[] arrivals, int n) {
        int lo = (int) (n * 0.1);
        int hi = (int) (n * 0.9) - 1;
        return hi > lo ? (hi - lo) / ((arrivals[hi] - arrivals[lo]) / 1e9) : Double.NaN;
    }

    /** Contract events from {@code rooms} rooms, round-robin, seq rising per room. */
    static List<Message> worries(int n, int rooms, Clock clock, String prefix) {
        return worries(n, rooms, clock, prefix, new long[rooms]);
    }

    /** The same, each room's seq continuing after {@code lastSeq[room - 1]}. */
    static List<Message> worries(int n, int rooms, Clock clock, String prefix, long[] lastSeq) {
        EventCodec codec = new EventCodec();
        UuidV7 ids = new UuidV7(clock);
        long[] seq = lastSeq.clone();
        List<Message> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int r = i % rooms;
            Event e = new Event(ids.next().toString(), ++seq[r], EventType.WORRY_REPORTED,
                    new RoomId(BenchConfigs.SITE, BenchConfigs.room(prefix, r + 1)), clock.instant(), Json.object().put("presses", 1));
            out.add(new Message(e.topic(), codec.encode(e), e, r));
        }
        return out;
    }

    /**
     * Publishes every message at QoS 1 from {@code publishers} clients; a room always goes through the same
     * client so its seq order holds. Returns when every PUBACK is in (System.nanoTime()).
     */
    private long publishAll(String uri, String label, List<Message> messages) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<MqttAsyncClient> clients = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        for (int p = 0; p < publishers; p++) {
            MqttAsyncClient client = RawMqtt.connect(uri, "bench-pub-" + label + "-" + p, window);
            clients.add(client);
            int me = p;
            threads.add(Thread.ofPlatform().name("bench-publisher-" + p).unstarted(() -> {
                Semaphore inFlight = new Semaphore(window);
                IMqttActionListener done = new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        inFlight.release();
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable cause) {
                        failures.incrementAndGet();
                        inFlight.release();
                    }
                };
                try {
                    for (int i = 0; i < messages.size(); i++) {
                        Message m = messages.get(i);
                        if (m.room() % publishers != me) {
                            continue;
                        }
                        if (!inFlight.tryAcquire(timeoutSeconds, TimeUnit.SECONDS)) {
                            failures.incrementAndGet();
                            return;
                        }
                        client.publish(m.topic(), m.payload(), 1, false, null, done);
                    }
                    inFlight.tryAcquire(window, timeoutSeconds, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (MqttException e) {
                    failures.incrementAndGet();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(timeoutSeconds + 5L));
        }
        long finished = System.nanoTime();
        clients.forEach(RawMqtt::close);
        if (failures.get() > 0) {
            spec.commandLine().getOut().println("warning: " + failures.get() + " publish failures in the " + label + " phase");
        }
        return finished;
    }

    /** The coordinator subscribes on a worker thread after connecting: wait until it is connected. */
    private static void awaitSubscribed(Coordinator coordinator) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!coordinator.mqtt().isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(500); // subscription is made right after connectComplete, off Paho's thread
    }

    /**
     * A what-if replay: events per second, and the replaying thread's CPU time per event (SQLite's engine included, the
     * commits' waits for the disk not). The CPU figure moves little with the machine's load, so two builds compare by it
     * even on a shared machine where the throughput swings.
     */
    record Replay(double rate, double cpuMicrosPerEvent) {
    }

    /** Fresh events through the coordinator's own SQL, {@code batch} per transaction. */
    private Replay replay(Workspace ws, int batch, Clock clock) throws Exception {
        if (batch < 1) {
            throw new IllegalArgumentException("--what-if sizes must be >= 1, got " + batch);
        }
        List<Message> fresh = worries(whatIfEvents, rooms, clock, "whatif-" + batch);
        EventLog eventLog = new EventLog(new EventCodec());
        Incidents incidents = new Incidents();
        Rooms roomTable = new Rooms();
        try (Database db = Database.open(ws.resolve("whatif-" + batch + ".db"), "db/coordinator")) {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int from = 0; from < fresh.size(); from += batch) {
                List<Message> slice = fresh.subList(from, Math.min(fresh.size(), from + batch));
                db.transaction(c -> {
                    Instant now = clock.instant();
                    for (Message m : slice) {
                        if (eventLog.append(c, m.event(), now)) {
                            incidents.apply(c, m.event());
                            roomTable.eventLogged(c, m.event(), now);
                            try (var ps = c.getConnection().prepareStatement(
                                    "INSERT INTO counters(name, value) VALUES ('accepted', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1")) {
                                ps.executeUpdate();
                            }
                        }
                    }
                    return null;
                });
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Replay(fresh.size() / seconds, (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / fresh.size());
        }
    }
}
