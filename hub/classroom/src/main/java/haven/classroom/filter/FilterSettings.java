package haven.classroom.filter;

import haven.config.ConfigFile;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The hub.yaml {@code filter.*} keys (firmware-config/hub.yaml documents each): how often the check runs, how long
 * it may wait for each target, how much of an answer it reads, which DNS server it asks, and, for the demo only,
 * {@code filter.simulate} with the categories the simulated network lets through.
 */
public record FilterSettings(Duration every, Duration timeout, int byteCap, Optional<String> resolver,
                             boolean simulate, List<String> simulateReachable) {
    public FilterSettings {
        simulateReachable = List.copyOf(simulateReachable);
    }

    public static FilterSettings from(ConfigFile file) {
        List<String> reachable = new java.util.ArrayList<>();
        var node = file.node("filter.simulateReachable");
        if (node != null && !node.isMissingNode()) {
            if (!node.isArray()) {
                throw file.error("filter.simulateReachable", "a list of categories");
            }
            node.forEach(n -> reachable.add(n.asText()));
        }
        return new FilterSettings(Duration.ofHours(file.integer("filter.everyHours", 24 * 7, 1, 24 * 366)),
                Duration.ofMillis(file.integer("filter.timeoutMillis", 3000, 100, 30_000)),
                file.integer("filter.byteCap", 16 * 1024, 256, 1024 * 1024),
                file.optionalString("filter.resolver"), file.bool("filter.simulate", false), reachable);
    }

    public TargetProbe probe(Clock clock) {
        return simulate ? new SimulatedProbe(simulateReachable, clock) : new NetworkProbe(resolver, timeout, byteCap, clock);
    }
}
