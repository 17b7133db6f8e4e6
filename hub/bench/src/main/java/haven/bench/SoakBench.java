package haven.bench;

import haven.classroom.Hub;
import haven.coordinator.Coordinator;
import haven.mqtt.MqttLink;
import haven.testkit.Mosquitto;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A school day, compressed and at its busiest, for {@code --minutes}: {@code --hubs} hubs connected, of
 * which {@code --full-hubs} complete {@link Hub}s take the activity and the rest are presence-only
 * {@link MqttLink}s (as in {@code latency}). Every tick ({@code --tick-ms}) one full hub, round-robin, is
 * pressed and the press timed to its dashboard frame; the hub pressed the tick before gets its pupil's
 * category and computer on the kiosk; the incident of the hub before that is acknowledged on the
 * dashboard (cmd/ack back to the hub); every eighth tick a key switch is turned on and off; every tick
 * one presence-only hub drops its connection and comes back (its Last Will, then its retained status).
 * Half way, the broker is restarted (a clean stop and start, as on a package upgrade).
 *
 * <p>At the end, with every outbox drained, each full hub's outbox is compared with the coordinator's
 * log: every event the hubs committed must be in the log exactly once (nothing lost, nothing doubled).
 * Per minute: presses, p50/p99/max press -> frame, and the bench JVM's heap (after a GC, i.e. the live
 * set) and RSS. The coordinator, the hubs and the presence links share that JVM; the hubs and links are
 * a fixed set, so growth over the run is the coordinator's.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "N hubs for M minutes at a busy school's rates (presses, details, acks, key switches, presence flaps, a broker restart half way): "
                + "nothing lost or doubled, heap/RSS and p99 press -> frame per minute.")
final class SoakBench implements Callable<Integer> {
    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--hubs", defaultValue = "1000", description = "hubs connected to the broker (default: ${DEFAULT-VALUE})")
    int hubs;

    @Option(names = "--full-hubs", defaultValue = "10", description = "of those, complete Hub instances that take the activity (default: ${DEFAULT-VALUE})")
    int fullHubs;

    @Option(names = "--minutes", defaultValue = "10", description = "minutes of activity (default: ${DEFAULT-VALUE})")
    double minutes;

    @Option(names = "--tick-ms", defaultValue = "1000",
            description = "one press (plus a detail, an ack and a presence flap) per tick, school-wide (default: ${DEFAULT-VALUE})")
    int tickMs;

    @Option(names = "--no-broker-restart", description = "skip the broker restart half way")
    boolean noBrokerRestart;

    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (hubs < 1 || fullHubs < 4 || fullHubs > hubs || minutes <= 0 || minutes > 120 || tickMs < 50) {
            throw new IllegalArgumentException("need 4 <= --full-hubs <= --hubs, 0 < --minutes <= 120, --tick-ms >= 50");
        }
        if (tickMs * fullHubs < 600) {
            throw new IllegalArgumentException("each hub's presses must be >= 600 ms apart (debounce, hold, coalescing): raise --tick-ms or --full-hubs");
        }
        Clock clock = Clock.systemUTC();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (Workspace ws = Workspace.create(options, "soak");
             Mosquitto broker = Mosquitto.forBenchmark(ws.dir())) {
            Coordinator coordinator = Coordinator.start(BenchConfigs.coordinator(broker.port(), ws.dir()), clock);
            BenchFleet fleet = null;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try (StaffDashboard dashboard = StaffDashboard.open(coordinator, true)) {
                fleet = BenchFleet.start(coordinator, broker.port(), ws.resolve("hubs"), hubs, fullHubs, "soak", h -> {
                }, clock, out);
                List<Hub> full = fleet.full();
                List<MqttLink> presence = fleet.presence();
                out.printf(Locale.ROOT, "haven bench soak: hubs=%d (full=%d) minutes=%.1f tick=%d ms (a press, a detail, an ack and a presence flap "
                                + "per tick; a key switch cycle every 8 ticks; broker restart half way: %s)%n",
                        hubs, fullHubs, minutes, tickMs, noBrokerRestart ? "no" : "yes");
                out.println("minute  presses  p50 ms  p99 ms  max ms  timeouts  heap-live MiB  heap-used MiB  rss MiB  threads  online");
                out.flush();

                long t0 = System.nanoTime();
                long end = t0 + (long) (minutes * 60e9);
                long restartAt = noBrokerRestart ? Long.MAX_VALUE : t0 + (long) (minutes * 30e9);
                long[] minuteSample = new long[Math.max(16, (int) (60_000 / tickMs) * 2)];
                int inMinute = 0;
                int minuteTimeouts = 0;
                int minute = 1;
                long minuteEnds = t0 + TimeUnit.MINUTES.toNanos(1);
                Map<String, Long> lastIncident = new HashMap<>();
                int tick = 0;
                int presses = 0;
                int frames = 0;
                int details = 0;
                int acks = 0;
                int switches = 0;
                int flaps = 0;
                int timeouts = 0;
                double restartSeconds = Double.NaN;
                while (System.nanoTime() < end) {
                    long tickStart = System.nanoTime();
                    if (tickStart >= restartAt) {
                        restartAt = Long.MAX_VALUE;
                        long r0 = System.nanoTime();
                        broker.restart();
                        restartSeconds = (System.nanoTime() - r0) / 1e9;
                        out.printf(Locale.ROOT, "broker restarted (down %.2f s) at %.1f min%n", restartSeconds, (r0 - t0) / 60e9);
                        out.flush();
                    }
                    Hub hub = full.get(tick % fullHubs);
                    String room = hub.config().room().room();
                    dashboard.discardFrames();
                    long p0 = System.nanoTime();
                    if (post(http, hub, "/api/sim/button", null) == 202) {
                        presses++;
                        StaffDashboard.Frame frame = dashboard.nextIncident(room, FRAME_TIMEOUT);
                        if (frame == null) {
                            timeouts++;
                            minuteTimeouts++;
                        } else {
                            frames++;
                            if (inMinute < minuteSample.length) {
                                minuteSample[inMinute++] = frame.receivedNanos() - p0;
                            }
                            lastIncident.put(room, frame.json().path("incident").path("id").asLong());
                        }
                    }
                    Hub previous = full.get((tick + fullHubs - 1) % fullHubs);
                    if (tick >= 1 && post(http, previous, "/api/kiosk/detail", "{\"category\":\"unkind-online\",\"computer\":\"pc-03\"}") == 200) {
                        details++;
                    }
                    Long toAck = tick >= 2 ? lastIncident.remove(full.get((tick + fullHubs - 2) % fullHubs).config().room().room()) : null;
                    if (toAck != null && dashboard.post("/api/incidents/" + toAck + "/ack", "{}") == 200) {
                        acks++;
                    }
                    if (tick % 8 == 3) {
                        Hub turned = full.get((tick + fullHubs - 3) % fullHubs);
                        post(http, turned, "/api/sim/switch", "{\"on\":true}");
                        post(http, turned, "/api/sim/switch", "{\"on\":false}");
                        switches++;
                    }
                    if (!presence.isEmpty()) {
                        // The connection drops without a DISCONNECT (the broker sends the Last Will) and comes back.
                        presence.get(tick % presence.size()).dropConnection();
                        flaps++;
                    }
                    tick++;
                    long now = System.nanoTime();
                    if (now >= minuteEnds) {
                        minuteLine(out, memory, coordinator, minute, Latencies.of(minuteSample, inMinute), minuteTimeouts);
                        inMinute = 0;
                        minuteTimeouts = 0;
                        minute++;
                        minuteEnds += TimeUnit.MINUTES.toNanos(1);
                    }
                    long sleep = tickMs - (System.nanoTime() - tickStart) / 1_000_000;
                    if (sleep > 0) {
                        Thread.sleep(sleep);
                    }
                }
                if (inMinute > 0 || minuteTimeouts > 0) {
                    minuteLine(out, memory, coordinator, minute, Latencies.of(minuteSample, inMinute), minuteTimeouts); // the last, partial minute
                }
                out.printf(Locale.ROOT, "activity: ticks=%d presses=%d frames=%d (timeouts=%d) details=%d acks=%d key-switch cycles=%d presence flaps=%d%n",
                        tick, presses, frames, timeouts, details, acks, switches, flaps);
                out.println(account(full, coordinator, Duration.ofSeconds(60)));
                out.printf(Locale.ROOT, "rooms online at end=%d of %d%n", OnlineRooms.await(coordinator, hubs, Duration.ofSeconds(30)), hubs);
                out.flush();
            } finally {
                http.close();
                coordinator.close();
                if (fleet != null) {
                    fleet.close();
                }
            }
        }
        return 0;
    }

    /** One minute's figures; heap "live" is after a GC, so it is the live set, not garbage not yet collected. */
    private static void minuteLine(PrintWriter out, MemoryMXBean memory, Coordinator coordinator, int minute, Latencies l, int timeouts) {
        long used = memory.getHeapMemoryUsage().getUsed();
        System.gc();
        long live = memory.getHeapMemoryUsage().getUsed();
        ProcStatus self = ProcStatus.self();
        out.printf(Locale.ROOT, "%6d  %7d  %6.2f  %6.2f  %6.2f  %8d  %13.1f  %13.1f  %7.1f  %7d  %6d%n", minute, l.count(), l.p50(), l.p99(),
                l.max(), timeouts, live / 1048576.0, used / 1048576.0, self.rssMib(), self.threads(), OnlineRooms.count(coordinator));
        out.flush();
    }

    private static int post(HttpClient http, Hub hub, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path)).timeout(Duration.ofSeconds(10))
                .POST(publisher).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * Waits (bounded) until every full hub's outbox is drained and the log holds what the outboxes hold,
     * then compares each outbox with the log: the event ids the hub committed against the ids and seqs the
     * coordinator logged for that room. The log may need a moment after the outboxes are drained: an event
     * the broker acknowledged while the coordinator was not yet back after the restart reaches it by the
     * coordinator's gap repair (it sees the hub's lastSeq in the hub's status and asks for a resend).
     */
    static String account(List<Hub> full, Coordinator coordinator, Duration drain) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + drain.toNanos();
        Tally tally;
        do {
            tally = tally(full, coordinator);
            if (tally.good()) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return String.format(Locale.ROOT, "accounting (%.1f s after the last tick): outboxes unsent=%d; events the hubs committed=%d, "
                        + "in the coordinator's log=%d; lost=%d doubled=%d not-from-an-outbox=%d -> %s%s",
                (System.nanoTime() - t0) / 1e9, tally.unsent, tally.committed, tally.logged, tally.lost, tally.doubled, tally.foreign,
                tally.good() ? "nothing lost, nothing doubled" : "MISMATCH", tally.lostSeqs.isEmpty() ? "" : " (lost: " + tally.lostSeqs + ")");
    }

    private record Tally(long unsent, long committed, long logged, long lost, long doubled, long foreign, List<String> lostSeqs) {
        boolean good() {
            return unsent == 0 && lost == 0 && doubled == 0 && foreign == 0;
        }
    }

    private static Tally tally(List<Hub> full, Coordinator coordinator) throws Exception {
        long unsent = 0;
        long committed = 0;
        long logged = 0;
        long lost = 0;
        long doubled = 0;
        long foreign = 0;
        List<String> lostSeqs = new ArrayList<>();
        for (Hub h : full) {
            unsent += unsent(h.config().database());
            Map<String, String> sent = outboxIds(h.config().database());
            committed += sent.size();
            String site = h.config().room().site();
            String room = h.config().room().room();
            long[] counts = coordinator.database().read(c -> {
                Set<String> ids = new HashSet<>();
                long rows = 0;
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM events WHERE site = ? AND room = ? AND seq > 0")) {
                    ps.setString(1, site);
                    ps.setString(2, room);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                            rows++;
                        }
                    }
                }
                long distinctSeqs;
                try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT seq) FROM events WHERE site = ? AND room = ? AND seq > 0")) {
                    ps.setString(1, site);
                    ps.setString(2, room);
                    try (ResultSet rs = ps.executeQuery()) {
                        distinctSeqs = rs.next() ? rs.getLong(1) : 0;
                    }
                }
                sent.forEach((id, what) -> {
                    if (!ids.contains(id) && lostSeqs.size() < 20) {
                        lostSeqs.add(room + " " + what);
                    }
                });
                long missing = sent.keySet().stream().filter(id -> !ids.contains(id)).count();
                long extra = ids.stream().filter(id -> !sent.containsKey(id)).count();
                return new long[] {rows, missing, rows - distinctSeqs, extra};
            });
            logged += counts[0];
            lost += counts[1];
            doubled += counts[2];
            foreign += counts[3];
        }
        return new Tally(unsent, committed, logged, lost, doubled, foreign, lostSeqs);
    }

    private static long unsent(Path outbox) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + outbox.toAbsolutePath());
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE sent_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** id -> "seq=N type" (the topic's last part is the type; no payload is read). */
    private static Map<String, String> outboxIds(Path outbox) throws SQLException {
        Map<String, String> ids = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + outbox.toAbsolutePath());
             PreparedStatement ps = c.prepareStatement("SELECT id, seq, topic FROM outbox");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String topic = rs.getString(3);
                ids.put(rs.getString(1), "seq=" + rs.getLong(2) + " " + topic.substring(topic.lastIndexOf('/') + 1));
            }
        }
        return ids;
    }
}
