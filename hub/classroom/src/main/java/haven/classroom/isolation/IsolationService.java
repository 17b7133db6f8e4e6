package haven.classroom.isolation;


import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's isolation state machine around one configured {@link Isolator}: every isolation is made
 * durable before the backend acts, re-applied at start ({@link #reapplyActive()}) and ended only by
 * {@link #release}, which the caller invokes after the coordinator's two-senior release rule allowed it (docs/ISOLATION.md: "Active
 * isolations survive a hub restart (re-applied at start). Turning the key back releases nothing.").
 *
 * <p>A backend failure never drops the isolation: the row stays active, so the next start (or a repeated
 * request) tries again, and the caller shows {@link ManualIsolator}'s instructions meanwhile.
 */
public final class IsolationService {
    private static final Logger log = LoggerFactory.getLogger(IsolationService.class);

    private final Isolator isolator;
    private final IsolationStore store;

    public IsolationService(Isolator isolator, IsolationStore store) {
        this.isolator = isolator;
        this.store = store;
    }

    /** Records the machine as isolated, then applies it; the result is also stored as evidence. */
    public synchronized IsolationResult isolate(Machine machine) throws SQLException {
        store.recordActive(machine, isolator.backend());
        IsolationResult result = isolator.isolate(machine);
        store.recordOutcome(result);
        return result;
    }

    /**
     * Lifts the isolation through the backend. The store marks it released only when the backend did so
     * (or when the backend is manual, where the person plugging the cable back in is the release); a failed
     * release leaves the machine isolated and recorded, which is the safe side.
     */
    public synchronized IsolationResult release(Machine machine) throws SQLException {
        IsolationResult result = isolator.release(machine);
        if (result.applied() || ManualIsolator.BACKEND.equals(result.backend())) {
            store.markReleased(machine);
        } else {
            log.warn("release not applied, isolation stays active machine={} backend={}", machine.name(), result.backend());
        }
        return result;
    }

    /** At hub start: applies every active isolation again (firewall state does not survive a reboot). */
    public synchronized List<IsolationResult> reapplyActive() throws SQLException {
        List<IsolationResult> results = new ArrayList<>();
        for (IsolationStore.ActiveIsolation active : store.active()) {
            IsolationResult result = isolator.isolate(active.machine());
            store.recordOutcome(result);
            log.info("isolation re-applied at start machine={} backend={} applied={} verified={}",
                    active.machine().name(), result.backend(), result.applied(), result.verified());
            results.add(result);
        }
        return results;
    }

    public List<IsolationStore.ActiveIsolation> active() throws SQLException {
        return store.active();
    }
}
