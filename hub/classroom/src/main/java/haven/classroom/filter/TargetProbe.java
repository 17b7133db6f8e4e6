package haven.classroom.filter;

import haven.protocol.FilterResult;
import haven.protocol.FilterTargets;

/**
 * Tries one filter test target and says what the room's network did with it. Two implementations: the real
 * network ({@link NetworkProbe}) and the demo's simulation, which sends nothing anywhere.
 */
public interface TargetProbe {
    FilterResult probe(FilterTargets.Target target, FilterTargets rules);
}
