package haven.classroom.isolation;

import java.util.Objects;
import java.util.Optional;

/**
 * What a backend did to one machine, in the form reported as {@code isolation.applied} /
 * {@code isolation.failed} and kept as evidence.
 *
 * @param machine  the machine acted on
 * @param backend  {@link Isolator#backend()} of the backend that acted
 * @param applied  the backend carried out the action (the rule is in the kernel, the API accepted it)
 * @param verified the backend read back or observed that the action is in force; implies {@code applied}
 * @param handle   what identifies the change in the backend (nft set element, the API's rule id); may be empty
 * @param evidence how it was applied and checked, for the incident record; may be empty
 * @param failure  why it was not applied or not verified; {@code null} when all went well, never
 *                 {@code null} when {@code applied} is false
 */
public record IsolationResult(Machine machine, String backend, boolean applied, boolean verified,
                              String handle, String evidence, String failure) {

    public IsolationResult {
        Objects.requireNonNull(machine, "machine");
        if (backend == null || backend.isBlank()) {
            throw new IllegalArgumentException("isolation result: backend must be named");
        }
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(evidence, "evidence");
        if (verified && !applied) {
            throw new IllegalArgumentException("isolation result for " + machine.name() + ": verified requires applied");
        }
        if (!applied && (failure == null || failure.isBlank())) {
            throw new IllegalArgumentException("isolation result for " + machine.name() + ": failure reason is required when not applied");
        }
    }

    /** The backend could not act; {@code reason} says why (shown to staff, so no stack traces). */
    public static IsolationResult notApplied(Machine machine, String backend, String evidence, String reason) {
        return new IsolationResult(machine, backend, false, false, "", evidence, reason);
    }

    public Optional<String> failureReason() {
        return Optional.ofNullable(failure);
    }
}
