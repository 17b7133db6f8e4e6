package haven.bench;

import haven.testkit.Mosquitto;
import haven.testkit.ChildJvm;
import haven.coordinator.Coordinator;
import haven.protocol.Json;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One hub as it runs on a Pi: a child JVM started as {@code systemd/haven-hub.service} starts it (its ExecStart
 * flags and Environment= lines, {@code java FLAGS -jar haven.jar hub --config FILE}, AppCDS when the unit uses
 * it), against the bench's Mosquitto and a coordinator in this JVM. Start-to-ready is from
 * process start to the hub's "ready" line (kiosk serving, outbox open, MQTT connecting); "online" is when
 * the coordinator shows the room online. Then a classroom day, compressed: a press every
 * {@code --press-every-s}, the pupil's category and computer on the kiosk, a member of staff acknowledging
 * on the dashboard (cmd/ack back to the hub), the key switch turned on and off every fourth press, and the
 * kiosk's own WebSocket open throughout. VmRSS is read from /proc/&lt;pid&gt;/status every few seconds.
 */
@Command(name = "footprint", mixinStandardHelpOptions = true, description = "One hub's start-to-ready time and RSS under simulated "
        + "classroom activity (child JVM started as systemd/haven-hub.service starts it).")
final class FootprintBench implements Callable<Integer> {

    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", defaultValue = "3", description = "minutes of classroom activity; RSS must be flat over the last half "
            + "(default: ${DEFAULT-VALUE}; the issue asks for 10 for the record)")
    double minutes;

    @Option(names = "--press-every-s", defaultValue = "15", description = "seconds between presses (default: ${DEFAULT-VALUE})")
    int pressEverySeconds;

    @Option(names = "--sample-every-s", defaultValue = "5", description = "seconds between RSS samples (default: ${DEFAULT-VALUE})")
    int sampleEverySeconds;

    @Option(names = "--jvm-flag", description = "a flag for the hub JVM, instead of the unit's; repeat for several "
            + "(default: the flags of --unit's ExecStart, as production runs the hub)")
    List<String> jvmFlags;

    @Option(names = "--unit", description = "the systemd unit whose ExecStart flags and Environment= lines the hub gets "
            + "(default: the repository's systemd/haven-hub.service)")
    Path unit;

    @Option(names = "--java", description = "java binary for the hub (default: the one running the bench)")
    String java;

    @Option(names = "--jar", description = "the jar the hub runs from, java FLAGS -jar FILE hub --config ... as in production "
            + "(default: the repository's hub/app/target/haven.jar)")
    Path jar;

    @Option(names = "--classpath", description = "run the hub from the bench's class path instead of a jar (no AppCDS: it ignores "
            + "class-path folders)")
    boolean classpath;

    @Option(names = "--cds", negatable = true, description = "AppCDS: a training start of the hub (until ready, one press) stopped "
            + "with SIGTERM writes a dynamic archive (-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=hub.jsa in the temporary "
            + "folder), which the measured start then maps, as the unit's archive in /var/lib/haven is (default: on when the unit "
            + "uses AppCDS and the hub runs from a jar; --cds forces it, --no-cds turns it off)")
    Boolean cds;

    private boolean useCds;
    private Map<String, String> environment = Map.of();

    private static final Pattern KIOSK = Pattern.compile("kiosk=http://[^:]+:(\\d+)/");
    private static final String ROOM = "footprint";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (minutes <= 0 || minutes > 60 || pressEverySeconds < 6 || sampleEverySeconds < 1) {
            throw new IllegalArgumentException("need 0 < --minutes <= 60, --press-every-s >= 6, --sample-every-s >= 1");
        }
        HubUnit production = HubUnit.read(unit != null ? unit : HubUnit.defaultFile());
        List<String> flags = jvmFlags == null || jvmFlags.isEmpty() ? production.flags() : jvmFlags;
        environment = production.environment();
        if (!classpath && jar == null) {
            jar = HubUnit.defaultJar();
        }
        if (!classpath && !Files.exists(jar)) {
            throw new IllegalArgumentException(jar + " does not exist: ./haven build, or give --jar FILE or --classpath");
        }
        useCds = cds != null ? cds : production.appCds() && !classpath;
        if (useCds && classpath) {
            throw new IllegalArgumentException("--cds needs the hub to run from a jar: AppCDS ignores class-path folders");
        }
        try (Workspace ws = Workspace.create(options, "footprint");
             Mosquitto broker = Mosquitto.forBenchmark(ws.dir())) {
            Coordinator coordinator = Coordinator.start(BenchConfigs.coordinator(broker.port(), ws.dir()), Clock.systemUTC());
            Path config = ws.resolve("hub.yaml");
            Files.writeString(config, Json.write(BenchConfigs.hubJson(ROOM, broker.port(), ws.resolve("hub-data"))));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try (StaffDashboard dashboard = StaffDashboard.open(coordinator, true);
                 ChildJvm hub = startHub(ws, flags, config, coordinator, http)) {
                String ready = hub.awaitLine("ready", Duration.ofSeconds(60));
                if (ready == null) {
                    throw new IllegalStateException("the hub did not report ready within 60 s; see its log (run with --keep)");
                }
                double readyMs = (System.nanoTime() - hub.startedNanos()) / 1e6;
                ProcStatus atReady = ProcStatus.of(hub.pid());
                OnlineRooms.await(coordinator, 1, Duration.ofSeconds(30));
                double onlineMs = (System.nanoTime() - hub.startedNanos()) / 1e6;
                Matcher m = KIOSK.matcher(ready);
                if (!m.find()) {
                    throw new IllegalStateException("no kiosk port in the ready line: " + ready);
                }
                String kiosk = "http://127.0.0.1:" + m.group(1);
                AtomicLong kioskFrames = new AtomicLong();
                WebSocket kioskSocket = http.newWebSocketBuilder().buildAsync(URI.create(kiosk.replace("http", "ws") + "/ws"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                if (last) {
                                    kioskFrames.incrementAndGet();
                                }
                                ws.request(1);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);

                record Sample(double seconds, ProcStatus status) {
                }
                List<Sample> samples = new ArrayList<>();
                samples.add(new Sample(readyMs / 1000, atReady));
                long end = System.nanoTime() + (long) (minutes * 60e9);
                long nextPress = System.nanoTime();
                long nextSample = System.nanoTime() + sampleEverySeconds * 1_000_000_000L;
                int presses = 0;
                int seen = 0;
                int details = 0;
                int acks = 0;
                int switches = 0;
                while (System.nanoTime() < end && hub.alive()) {
                    long now = System.nanoTime();
                    if (now >= nextSample) {
                        samples.add(new Sample((now - hub.startedNanos()) / 1e9, ProcStatus.of(hub.pid())));
                        nextSample += sampleEverySeconds * 1_000_000_000L;
                    }
                    if (now >= nextPress) {
                        nextPress += pressEverySeconds * 1_000_000_000L;
                        dashboard.discardFrames();
                        post(http, kiosk + "/api/sim/button", "");
                        presses++;
                        StaffDashboard.Frame frame = dashboard.nextIncident(ROOM, Duration.ofSeconds(5));
                        if (frame != null) {
                            seen++;
                            Thread.sleep(2000);
                            if (post(http, kiosk + "/api/kiosk/detail", "{\"category\":\"unkind-online\",\"computer\":\"3\"}") == 200) {
                                details++;
                            }
                            Thread.sleep(2000);
                            if (dashboard.post("/api/incidents/" + frame.json().path("incident").path("id").asLong() + "/ack", "{}") == 200) {
                                acks++;
                            }
                        }
                        if (presses % 4 == 0) {
                            post(http, kiosk + "/api/sim/switch", "{\"on\":true}");
                            Thread.sleep(500);
                            post(http, kiosk + "/api/sim/switch", "{\"on\":false}");
                            switches++;
                        }
                        continue;
                    }
                    Thread.sleep(Math.max(1, Math.min(nextPress, nextSample) - System.nanoTime()) / 1_000_000 + 1);
                }
                ProcStatus last = ProcStatus.of(hub.pid());
                samples.add(new Sample((System.nanoTime() - hub.startedNanos()) / 1e9, last));
                kioskSocket.abort();
                double maxSampled = samples.stream().mapToDouble(s -> s.status().rssMib()).max().orElse(Double.NaN);
                ProcStatus atMinute = samples.stream().filter(s -> s.seconds() >= 60).findFirst().map(Sample::status).orElse(last);

                out.printf(Locale.ROOT, "haven bench footprint: minutes=%.1f java=%s%n", minutes, java != null ? java : ChildJvm.currentJava());
                out.println("hub JVM flags: " + String.join(" ", flags) + (useCds ? " + AppCDS" : "")
                        + (jvmFlags == null || jvmFlags.isEmpty() ? " (from " + production.file() + ")" : " (--jvm-flag)"));
                out.println("hub environment: " + (environment.isEmpty() ? "(none added)" : environment) + "; "
                        + (classpath ? "the bench's class path" : "-jar " + jar));
                out.printf(Locale.ROOT, "start-to-ready %.0f ms (ready line); online at the coordinator after %.0f ms %n",
                        readyMs, onlineMs);
                out.printf(Locale.ROOT, "RSS at ready %.1f MiB; after 1 min %.1f MiB; at end %.1f MiB; max sampled %.1f MiB; VmHWM %.1f MiB; threads %d%n",
                        atReady.rssMib(), atMinute.rssMib(), last.rssMib(), maxSampled, last.peakRssMib(), last.threads());
                // Flat: the second half of the activity, from its first sample to its highest, grows by at most 1 MiB.
                double halfway = samples.get(0).seconds() + (samples.get(samples.size() - 1).seconds() - samples.get(0).seconds()) / 2;
                List<Sample> lastHalf = samples.stream().filter(s -> s.seconds() >= halfway).toList();
                double halfStart = lastHalf.get(0).status().rssMib();
                double halfMax = lastHalf.stream().mapToDouble(s -> s.status().rssMib()).max().orElse(Double.NaN);
                double growth = halfMax - halfStart;
                out.printf(Locale.ROOT, "RSS over the last half (from %.0f s): %.1f -> %.1f MiB at end, max %.1f MiB: growth %.1f MiB (flat, <= 1 MiB: %s)%n",
                        halfway, halfStart, last.rssMib(), halfMax, growth, growth <= 1.0 ? "yes" : "no");
                out.printf(Locale.ROOT, "target (issue 20): RSS <= 100 MiB -> end %.1f MiB, peak %.1f MiB: %s; flat over the last half: %s; "
                                + "start-to-ready < 1 s: %s%n",
                        last.rssMib(), last.peakRssMib(), last.peakRssMib() <= 100 ? "met" : "missed", growth <= 1.0 ? "met" : "missed",
                        readyMs < 1000 ? "met" : "missed");
                out.printf(Locale.ROOT, "activity: presses=%d seen on dashboard=%d details=%d acks=%d key-switch cycles=%d kiosk frames=%d hub CPU=%.1f s%n",
                        presses, seen, details, acks, switches, kioskFrames.get(), last.cpu().toMillis() / 1000.0);
                StringBuilder series = new StringBuilder("RSS MiB by second:");
                for (Sample s : samples) {
                    series.append(String.format(Locale.ROOT, " %.0f:%.1f", s.seconds(), s.status().rssMib()));
                }
                out.println(series);
                out.flush();
            } finally {
                http.close();
                coordinator.close();
            }
        }
        return 0;
    }

    /** The measured hub; with --cds, after a training start that leaves the archive behind. */
    private ChildJvm startHub(Workspace ws, List<String> flags, Path config, Coordinator coordinator, HttpClient http) throws Exception {
        List<String> all = new ArrayList<>(flags);
        if (useCds) {
            all.add("-XX:SharedArchiveFile=" + ws.resolve("hub.jsa"));
            all.add("-XX:+AutoCreateSharedArchive");
            long t0 = System.nanoTime();
            try (ChildJvm training = launch(all, ws.resolve("hub-training.log"), config)) {
                String ready = training.awaitLine("ready", Duration.ofSeconds(60));
                Matcher m = ready == null ? null : KIOSK.matcher(ready);
                if (m == null || !m.find()) {
                    throw new IllegalStateException("the training hub did not report ready within 60 s; see hub-training.log (run with --keep)");
                }
                OnlineRooms.await(coordinator, 1, Duration.ofSeconds(30));
                post(http, "http://127.0.0.1:" + m.group(1) + "/api/sim/button", "");
                Thread.sleep(3000);
            } // SIGTERM: the JVM writes the archive as it exits
            long offline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (OnlineRooms.count(coordinator) > 0 && System.nanoTime() < offline) {
                Thread.sleep(100); // so "online" below is the measured hub's
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "AppCDS: training start and stop took %.1f s; archive %d KiB%n",
                    (System.nanoTime() - t0) / 1e9, Files.exists(ws.resolve("hub.jsa")) ? Files.size(ws.resolve("hub.jsa")) / 1024 : -1);
        }
        return launch(all, ws.resolve("hub.log"), config);
    }

    private ChildJvm launch(List<String> flags, Path log, Path config) throws Exception {
        String bin = java != null ? java : ChildJvm.currentJava();
        if (classpath) {
            return ChildJvm.start(bin, flags, environment, log, "haven.cli.HavenCli", "hub", "--config", config.toString());
        }
        // ChildJvm always passes the bench's -cp; with -jar after it, java ignores it, as with java -jar in production.
        return ChildJvm.start(bin, flags, environment, log, "-jar", jar.toAbsolutePath().toString(), "hub", "--config", config.toString());
    }

    private static int post(HttpClient http, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
