package haven.classroom.isolation;

/**
 * The backend when the hub controls no part of the network, and the fallback when another backend fails.
 * It changes nothing; its reason is the instruction the kiosk shows the teacher. Unplugging the cable
 * (rather than shutting down) keeps the computer's memory and state for a later police investigation.
 */
public final class ManualIsolator implements Isolator {
    public static final String BACKEND = "manual";
    public static final String ISOLATE_INSTRUCTION = "manual: unplug the network cable, do not switch the computer off";
    public static final String RELEASE_INSTRUCTION = "manual: plug the network cable back in";

    @Override
    public IsolationResult isolate(Machine machine) {
        return IsolationResult.notApplied(machine, BACKEND, "no network control configured; instructions shown to staff",
                ISOLATE_INSTRUCTION);
    }

    @Override
    public IsolationResult release(Machine machine) {
        return IsolationResult.notApplied(machine, BACKEND, "no network control configured; instructions shown to staff",
                RELEASE_INSTRUCTION);
    }

    @Override
    public String backend() {
        return BACKEND;
    }
}
