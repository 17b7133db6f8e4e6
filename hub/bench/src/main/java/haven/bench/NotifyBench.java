package haven.bench;

import haven.testkit.Mosquitto;
import haven.testkit.Ports;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import haven.classroom.Hub;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.notify.WebPush;
import haven.protocol.Json;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Press to alert with many hubs connected: the clock starts before {@code POST /api/sim/button} on a full hub
 * and stops when the loopback SMTP server (GreenMail) has accepted the e-mail to the ladder's first step, and
 * when a loopback push service has received the Web Push request. Between the two: hub outbox commit,
 * publish, coordinator ingest commit, the ladder thread, the SMTP conversation or the RFC 8291 encryption and
 * the POST, and the chained record of the attempt. Every press is a new worry (coalescing off), so each
 * one starts a ladder of its own.
 */
@Command(name = "notify", mixinStandardHelpOptions = true, description = "Press -> e-mail accepted and press -> Web Push received, with N hubs.")
final class NotifyBench implements Callable<Integer> {
    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--hubs", defaultValue = "1000", description = "hubs connected to the broker (default: ${DEFAULT-VALUE})")
    int hubs;

    @Option(names = "--full-hubs", defaultValue = "10", description = "of those, complete Hub instances that take the presses (default: ${DEFAULT-VALUE})")
    int fullHubs;

    @Option(names = "--presses", defaultValue = "200", description = "measured presses (default: ${DEFAULT-VALUE})")
    int presses;

    @Option(names = "--warmup", defaultValue = "20", description = "unmeasured presses first, for the JIT (default: ${DEFAULT-VALUE})")
    int warmup;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (hubs < 1 || fullHubs < 1 || fullHubs > hubs || presses < 1 || warmup < 0) {
            throw new IllegalArgumentException("need 1 <= --full-hubs <= --hubs, --presses >= 1, --warmup >= 0");
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        int smtpPort = Ports.free();
        GreenMail mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        BlockingQueue<Long> pushes = new ArrayBlockingQueue<>(1024);
        HttpServer pushService = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        pushService.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            pushes.offer(System.nanoTime());
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        pushService.start();
        try (Workspace ws = Workspace.create(options, "notify");
             Mosquitto broker = Mosquitto.forBenchmark(ws.dir());
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            Clock clock = Clock.systemUTC();
            Coordinator coordinator = Coordinator.start(config(broker.port(), ws, smtpPort), clock);
            BenchFleet fleet = null;
            try {
                coordinator.staff().put("bench-mail", Role.COORDINATOR, "bench-password-1".toCharArray());
                coordinator.staff().put("bench-push", Role.COORDINATOR, "bench-password-2".toCharArray());
                KeyPair device = new WebPush(new SecureRandom()).newKeyPair();
                byte[] auth = new byte[16];
                new SecureRandom().nextBytes(auth);
                coordinator.notifier().orElseThrow().push().orElseThrow().subscribe("bench-push",
                        "http://127.0.0.1:" + pushService.getAddress().getPort() + "/push/bench-device",
                        WebPush.base64Url(WebPush.uncompressed((ECPublicKey) device.getPublic())), WebPush.base64Url(auth));
                // Every press a new worry (coalescing off), so each one starts a ladder of its own.
                fleet = BenchFleet.start(coordinator, broker.port(), ws.resolve("hubs"), hubs, fullHubs, "press",
                        h -> h.putObject("worry").put("coalesceSeconds", 0), clock, out);
                List<Hub> full = fleet.full();

                long[] toMail = new long[presses];
                long[] toPush = new long[presses];
                int measured = 0;
                int timeouts = 0;
                for (int round = 0; round < warmup + presses && System.nanoTime() < deadline; round++) {
                    Hub hub = full.get(round % fullHubs);
                    pushes.clear();
                    int mailsBefore = mail.getReceivedMessages().length;
                    long t0 = System.nanoTime();
                    HttpResponse<Void> res = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/sim/button")).timeout(TIMEOUT)
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                    if (res.statusCode() != 202) {
                        throw new IllegalStateException("sim button refused: HTTP " + res.statusCode());
                    }
                    boolean mailed = mail.waitForIncomingEmail(TIMEOUT.toMillis(), mailsBefore + 1);
                    long mailedAt = System.nanoTime();
                    Long pushedAt = pushes.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if (!mailed || pushedAt == null) {
                        timeouts++;
                    } else if (round >= warmup) {
                        toMail[measured] = mailedAt - t0;
                        toPush[measured++] = pushedAt - t0;
                    }
                    // Each hub's button must be released and quiet for the debounce before its next press.
                    Thread.sleep(Math.max(0, 300 / fullHubs));
                }
                Latencies mailed = Latencies.of(toMail, measured);
                Latencies pushed = Latencies.of(toPush, measured);
                out.printf(Locale.ROOT, "haven bench notify: hubs=%d (full=%d) presses=%d warmup=%d%n", hubs, fullHubs, presses, warmup);
                out.println("press -> e-mail accepted by SMTP   " + mailed.line() + (timeouts > 0 ? " timeouts=" + timeouts : ""));
                out.println("press -> push request received     " + pushed.line());
                out.printf(Locale.ROOT, "target: p99 < 1 s -> e-mail %s, push %s%n", mailed.p99() < 1000 ? "met" : "missed",
                        pushed.p99() < 1000 ? "met" : "missed");
                out.flush();
            } finally {
                coordinator.close();
                if (fleet != null) {
                    fleet.close();
                }
            }
        } finally {
            pushService.stop(0);
            mail.stop();
        }
        return 0;
    }

    private static CoordinatorConfig config(int mqttPort, Workspace ws, int smtpPort) {
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("keepAliveSeconds", 30)
                .put("clientId", "haven-coordinator-bench");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.put("database", ws.resolve("coordinator.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "https://haven.bench.invalid/");
        n.putObject("smtp").put("host", "127.0.0.1").put("port", smtpPort).put("security", "none").put("from", "haven@bench.invalid");
        n.putObject("push").put("subject", "mailto:bench@bench.invalid");
        var contacts = n.putArray("contacts");
        contacts.addObject().put("staff", "bench-mail").put("email", "dsl@bench.invalid");
        contacts.addObject().put("staff", "bench-push").put("push", true);
        var first = n.putObject("ladders").putArray("worry").addObject().putArray("contacts");
        first.add("bench-mail").add("bench-push");
        return CoordinatorConfig.from(ConfigFile.of("bench coordinator", c));
    }
}
