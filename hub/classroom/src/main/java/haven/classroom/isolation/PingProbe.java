package haven.classroom.isolation;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One ICMP echo ({@code ping -n -c 1 -W 1}) to the machine, from the current network namespace or from a
 * named one ({@code ip netns exec NAME ping ...}). It only tests the gateway's forward path when it runs
 * from a vantage point behind the gateway (another host, or a namespace as in the tests): a ping sent by
 * the hub itself leaves through the output hook and is not subject to the forward chain.
 */
public final class PingProbe implements Probe {
    public static final Path DEFAULT_PING = Path.of("/usr/bin/ping");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Path ping;
    private final Optional<String> netns;
    private final Optional<String> source;

    /**
     * @param ping   the ping binary, e.g. {@link #DEFAULT_PING}
     * @param netns  run inside this network namespace (via {@code /usr/sbin/ip netns exec}), or the current one
     * @param source send from this local address ({@code -I}), e.g. an allow-listed technician address
     */
    public PingProbe(Path ping, Optional<String> netns, Optional<String> source) {
        this.ping = ping;
        this.netns = netns.map(n -> ExternalCommand.requireNetnsName("ping probe netns", n));
        source.ifPresent(s -> Machine.requireUnicastIp("ping probe source", s));
        this.source = source;
    }

    @Override
    public Outcome probe(Machine machine) {
        return reach(machine.ip());
    }

    /** Pings any IP literal (validated); {@code reachable} is true only when a reply came back. */
    public Outcome reach(String ip) {
        Machine.requireUnicastIp("ping target", ip);
        List<String> argv = new ArrayList<>();
        netns.ifPresent(ns -> argv.addAll(List.of(NftablesIsolator.IP.toString(), "netns", "exec", ns)));
        argv.addAll(List.of(ping.toString(), "-n", "-c", "1", "-W", "1"));
        source.ifPresent(s -> argv.addAll(List.of("-I", s)));
        argv.add(ip);
        String where = netns.map(ns -> "netns=" + ns).orElse("netns=current") + source.map(s -> " from=" + s).orElse("");
        try {
            ExternalCommand.Outcome run = ExternalCommand.run(argv, null, TIMEOUT);
            return run.ok()
                    ? new Outcome(true, "ping " + ip + " " + where + ": reply")
                    : new Outcome(false, "ping " + ip + " " + where + ": no reply (exit " + run.exit() + ")");
        } catch (IOException e) {
            return new Outcome(false, "ping " + ip + " " + where + ": could not run " + ping + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, "ping " + ip + " " + where + ": interrupted");
        }
    }
}
