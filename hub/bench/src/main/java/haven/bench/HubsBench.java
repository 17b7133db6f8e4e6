package haven.bench;

import haven.testkit.Mosquitto;
import haven.testkit.ChildJvm;
import haven.coordinator.Coordinator;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How many hubs one coordinator holds: hubs (see {@link LightHubFleet}, run in a child JVM) join in steps;
 * at each step the bench waits until the coordinator's own rooms table shows every room online, then holds
 * for longer than one keepalive so every session pings, and reads the coordinator's CPU (process CPU time
 * over wall time, in cores), heap (used, and after a full GC), and RSS from /proc/self/status. The
 * coordinator runs in this JVM; the broker's figures are read from /proc as well, since with MQTT it is
 * the broker, not the coordinator, that holds the connections and answers the keepalives.
 */
@Command(name = "hubs", mixinStandardHelpOptions = true, description = "Hubs one coordinator holds (presence, 30 s keepalive): 1k, 5k, 10k; CPU, heap, RSS.")
final class HubsBench implements Callable<Integer> {
    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "1000,5000,10000", split = ",", description = "hub counts (default: ${DEFAULT-VALUE})")
    List<Integer> steps;

    @Option(names = "--hold-s", defaultValue = "35", description = "hold at each step, > keepalive (default: ${DEFAULT-VALUE})")
    int holdSeconds;

    @Option(names = "--keepalive", defaultValue = "30", description = "hubs' MQTT keepalive in seconds (default: ${DEFAULT-VALUE})")
    int keepAlive;

    @Option(names = "--step-timeout-s", defaultValue = "180", description = "give up on a step after this long (default: ${DEFAULT-VALUE})")
    int stepTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) < 1 || (i > 0 && steps.get(i) <= steps.get(i - 1))) {
                throw new IllegalArgumentException("--steps must be rising positive counts, got " + steps);
            }
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (Workspace ws = Workspace.create(options, "hubs");
             Mosquitto broker = Mosquitto.forBenchmark(ws.dir())) {
            Coordinator coordinator = Coordinator.start(BenchConfigs.coordinator(broker.port(), ws.dir()), Clock.systemUTC());
            int maxSeconds = steps.size() * (stepTimeoutSeconds + holdSeconds) + 60;
            try (StaffDashboard dashboard = StaffDashboard.open(coordinator, false);
                 ChildJvm fleet = ChildJvm.start(ChildJvm.currentJava(), List.of("-Xmx512m", "-XX:+UseSerialGC"),
                         ws.resolve("fleet.err"), BenchCommand.class.getName(), "hub-fleet", "--port", String.valueOf(broker.port()),
                         "--keepalive", String.valueOf(keepAlive), "--grow-timeout-s", String.valueOf(stepTimeoutSeconds),
                         "--max-seconds", String.valueOf(maxSeconds))) {
                out.printf(Locale.ROOT, "haven bench hubs: steps=%s keepalive=%d s hold=%d s coordinator max heap=%d MiB cores=%d%n",
                        steps, keepAlive, holdSeconds, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
                out.println("hubs  | fleet up/failed | coord online | ramp s | new online/s | coord CPU ramp/hold (cores) "
                        + "| heap used/after GC MiB | coord RSS MiB | threads | broker CPU hold, RSS MiB | online after hold | pings");
                out.flush();
                long previous = 0;
                for (int n : steps) {
                    ProcStatus self0 = ProcStatus.self();
                    long t0 = System.nanoTime();
                    fleet.send("grow " + n);
                    String grown = fleet.awaitLine("online", Duration.ofSeconds(stepTimeoutSeconds + 10));
                    long coordOnline = OnlineRooms.await(coordinator, n, Duration.ofSeconds(stepTimeoutSeconds));
                    long t1 = System.nanoTime();
                    ProcStatus self1 = ProcStatus.self();
                    ProcStatus broker1 = ProcStatus.of(broker.pid());
                    Thread.sleep(Duration.ofSeconds(holdSeconds));
                    long t2 = System.nanoTime();
                    ProcStatus self2 = ProcStatus.self();
                    ProcStatus broker2 = ProcStatus.of(broker.pid());
                    long heapUsed = memory.getHeapMemoryUsage().getUsed();
                    System.gc();
                    long heapLive = memory.getHeapMemoryUsage().getUsed();
                    fleet.send("stats");
                    String stats = fleet.awaitLine("stats", Duration.ofSeconds(10));
                    long onlineAfter = OnlineRooms.count(coordinator);
                    double ramp = (t1 - t0) / 1e9;
                    out.printf(Locale.ROOT, "%5d | %-15s | %12d | %6.1f | %12.0f | %6.2f / %-6.2f | %8.0f / %-8.0f | %13.0f | %7d | %5.2f cores, %5.0f | %17d | %s%n",
                            n, grown == null ? "timeout" : grown.replaceAll("online (\\d+) failed (\\d+).*", "$1/$2"), coordOnline, ramp,
                            (coordOnline - previous) / ramp, cores(self0, self1, t1 - t0), cores(self1, self2, t2 - t1),
                            heapUsed / 1048576.0, heapLive / 1048576.0, self2.rssMib(), self2.threads(),
                            cores(broker1, broker2, t2 - t1), broker2.rssMib(), onlineAfter,
                            stats == null ? "?" : stats.replaceAll(".*pings (\\d+).*", "$1"));
                    out.flush();
                    previous = coordOnline;
                    if (grown == null || coordOnline < n) {
                        out.printf("stopping: step %d did not complete within %d s (fleet: %s, coordinator online %d)%n",
                                n, stepTimeoutSeconds, grown, coordOnline);
                        break;
                    }
                }
                ProcStatus fleetStatus = ProcStatus.of(fleet.pid());
                out.printf(Locale.ROOT, "load generator (child JVM, not counted above): rss=%.0f MiB threads=%d%n",
                        fleetStatus.rssMib(), fleetStatus.threads());
                // The coordinator goes first, so the fleet's goodbye is not ingested as 10k presence changes.
                coordinator.close();
                fleet.send("quit");
            } finally {
                coordinator.close();
            }
        }
        return 0;
    }

    private static double cores(ProcStatus before, ProcStatus after, long wallNanos) {
        return (after.cpu().toNanos() - before.cpu().toNanos()) / (double) wallNanos;
    }
}
