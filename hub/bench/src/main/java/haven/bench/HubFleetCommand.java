package haven.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The hubs scenario's load generator, run as a child JVM so its memory and CPU are not counted as the
 * coordinator's. It reads lines on stdin: {@code grow N} (answers {@code online N failed F ms T} once N
 * sessions are up, or after the timeout), {@code stats}, {@code quit}. It exits by itself when stdin closes
 * (the bench died) or after {@code --max-seconds}.
 */
@Command(name = "hub-fleet", hidden = true, description = "Internal: simulated hubs for `bench hubs` (child process).")
final class HubFleetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--keepalive", defaultValue = "30")
    int keepAlive;

    @Option(names = "--grow-timeout-s", defaultValue = "180")
    int growTimeoutSeconds;

    @Option(names = "--max-seconds", defaultValue = "900")
    int maxSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Thread watchdog = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
                System.exit(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (LightHubFleet fleet = new LightHubFleet(new InetSocketAddress("127.0.0.1", port), keepAlive, Clock.systemUTC());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                if (words[0].equals("grow") && words.length == 2) {
                    int n = Integer.parseInt(words[1]);
                    long t0 = System.nanoTime();
                    long deadline = t0 + TimeUnit.SECONDS.toNanos(growTimeoutSeconds);
                    fleet.grow(n);
                    while (fleet.online() + fleet.failed() < n && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    out.printf("online %d failed %d ms %d%n", fleet.online(), fleet.failed(), (System.nanoTime() - t0) / 1_000_000);
                } else if (words[0].equals("stats")) {
                    out.printf("stats online %d failed %d pings %d%n", fleet.online(), fleet.failed(), fleet.pings());
                } else if (words[0].equals("quit")) {
                    break;
                } else {
                    out.println("error unknown command: " + line);
                }
                out.flush();
            }
        } finally {
            watchdog.interrupt();
        }
        return 0;
    }
}
