package haven.protocol;

/** A payload or topic that breaks contract v1. The message names the field and is safe to store and log. */
public final class ContractViolation extends IllegalArgumentException {
    public ContractViolation(String reason) {
        super(reason);
    }
}
