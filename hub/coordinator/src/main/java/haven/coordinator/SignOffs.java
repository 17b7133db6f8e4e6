package haven.coordinator;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The release rule (docs/ISOLATION.md): a machine is released only after two DIFFERENT members of
 * senior staff sign off. Senior means role senior, coordinator or head (the headteacher is senior staff).
 * Teachers, technicians and governors cannot approve; the same person signing twice counts once.
 * Pure: no clock, no storage; the coordinator keeps the sign-offs and asks this class.
 */
public final class SignOffs {
    public static final int REQUIRED = 2;
    private static final Set<String> APPROVING_ROLES = Set.of("senior", "coordinator", "head");

    /**
     * @param releaseAllowed true when {@link #REQUIRED} different approving staff signed
     * @param counted        names of the staff whose sign-off counts, in signing order
     * @param notCounted     one calm line per sign-off that does not count, saying why
     */
    public record Decision(boolean releaseAllowed, List<String> counted, List<String> notCounted) {
        public Decision {
            counted = List.copyOf(counted);
            notCounted = List.copyOf(notCounted);
        }

        /** How many more approving sign-offs are needed (0 when release is allowed). */
        public int stillNeeded() {
            return Math.max(0, REQUIRED - counted.size());
        }
    }

    private SignOffs() {
    }

    /** Whether a role (wire form, exact) may approve a release. */
    public static boolean mayApprove(String role) {
        return role != null && APPROVING_ROLES.contains(role);
    }

    public static Decision decide(List<SignOff> signOffs) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> counted = new ArrayList<>();
        List<String> notCounted = new ArrayList<>();
        for (SignOff signOff : signOffs) {
            String who = signOff.staffName().strip();
            if (!mayApprove(signOff.role())) {
                notCounted.add(who + " (" + signOff.role() + "): only senior staff, the coordinator or the head can approve a release");
            } else if (!seen.add(who.toLowerCase(Locale.ROOT))) {
                notCounted.add(who + " (" + signOff.role() + "): already signed; a second person must sign");
            } else {
                counted.add(who);
            }
        }
        return new Decision(counted.size() >= REQUIRED, counted, notCounted);
    }
}
