package haven.coordinator;

import java.time.Instant;

/**
 * Told once per follow-up action that passed its due time without being marked done (docs/CASEWORK.md);
 * the composition root wires it to the staff alerts. Called on the {@code case-overdue} thread after the
 * flag is committed, so a slow alert never holds a transaction.
 */
public interface CaseAlerts {
    CaseAlerts NONE = (incident, actionKind, due) -> { };

    void actionOverdue(Incident incident, String actionKind, Instant due);
}
