package haven.classroom.filter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.FilterResult;
import haven.protocol.FilterTargets;
import haven.protocol.Json;
import java.time.Clock;
import java.util.List;

/**
 * The demo's network: answers every target without sending a packet. Targets of the categories in
 * {@code reachable} come back reachable (so a new user sees what a failed check looks like); the rest as the
 * school's filter answering with its block page.
 */
public final class SimulatedProbe implements TargetProbe {
    private final List<String> reachable;
    private final Clock clock;

    public SimulatedProbe(List<String> reachable, Clock clock) {
        this.reachable = List.copyOf(reachable);
        this.clock = clock;
    }

    @Override
    public FilterResult probe(FilterTargets.Target target, FilterTargets rules) {
        ObjectNode evidence = Json.object();
        evidence.put("at", Json.time(clock.instant()));
        evidence.put("simulated", true);
        if (reachable.contains(target.category())) {
            evidence.put("status", 200);
            return new FilterResult(target.category(), target.target(), target.expected(), "reachable", evidence);
        }
        evidence.put("status", 403);
        evidence.put("blockPage", rules.blockPageSignatures().isEmpty() ? "simulated block page" : rules.blockPageSignatures().getFirst());
        return new FilterResult(target.category(), target.target(), target.expected(), "blocked", evidence);
    }
}
