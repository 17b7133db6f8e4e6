package haven.classroom.isolation;

/**
 * An independent check that traffic to a machine really stopped (or flows again). A probe can only
 * refute an isolation, never prove it alone: "no reply" also happens when the computer is off or drops
 * ICMP, so backends treat {@code reachable=true} after isolating as "not verified" and record the rest.
 */
public interface Probe {

    /** @param detail what was run and what came back, for the evidence record */
    record Outcome(boolean reachable, String detail) {
    }

    Outcome probe(Machine machine);
}
