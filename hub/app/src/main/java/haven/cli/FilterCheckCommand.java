package haven.cli;

import haven.classroom.filter.NetworkProbe;
import haven.protocol.FilterResult;
import haven.protocol.FilterTargets;
import haven.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The filter check once, from the machine it runs on, without a broker: for a technician at a hub's shell
 * ("what does this room's network let through?") and for the namespace test. Prints the results as the
 * filter.checked event's {@code data.results} would carry them. Exit 0 when nothing expected blocked got
 * through, 1 otherwise.
 */
@Command(name = "filter-check", description = "Try the school's filter test targets from this machine's network and print what got through.")
final class FilterCheckCommand implements Callable<Integer> {
    @Option(names = "--targets", required = true, paramLabel = "FILE",
            description = "the target list as the coordinator publishes it (JSON, docs/asyncapi.yaml filterTargets)")
    Path targets;

    @Option(names = "--resolver", paramLabel = "ADDRESS", description = "DNS server to ask (default: /etc/resolv.conf)")
    String resolver;

    @Option(names = "--timeout-millis", defaultValue = "3000", description = "per step and target (default ${DEFAULT-VALUE})")
    int timeoutMillis;

    @Option(names = "--byte-cap", defaultValue = "16384", description = "most bytes read of an answer (default ${DEFAULT-VALUE})")
    int byteCap;

    @Override
    public Integer call() throws Exception {
        FilterTargets list;
        try {
            list = FilterTargets.decode(Files.readAllBytes(targets));
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("filter-check: " + targets + ": " + e.getMessage());
            return 2;
        }
        NetworkProbe probe = new NetworkProbe(Optional.ofNullable(resolver), Duration.ofMillis(timeoutMillis), byteCap, Clock.systemUTC());
        boolean failed = false;
        var results = Json.array();
        for (FilterTargets.Target target : list.targets()) {
            FilterResult result = probe.probe(target, list);
            failed |= result.failed();
            results.add(result.toJson());
        }
        System.out.println(Json.write(results));
        return failed ? 1 : 0;
    }
}
