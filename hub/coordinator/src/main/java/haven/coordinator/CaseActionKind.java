package haven.coordinator;

import haven.store.Stored;
import java.util.Arrays;
import java.util.Optional;
import java.util.TreeSet;

/** A follow-up action on a case (docs/CASEWORK.md); stored in {@code case_actions.kind} and sent as {@link #stored()}. */
public enum CaseActionKind implements Stored {
    PARENTS_INFORMED("parents-informed"),
    MASH_REFERRAL("mash-referral"),
    CHILDRENS_SOCIAL_CARE("childrens-social-care"),
    LADO_REFERRAL("lado-referral"),
    POLICE("police"),
    CEOP("ceop"),
    OTHER("other");

    private final String stored;

    CaseActionKind(String stored) {
        this.stored = stored;
    }

    @Override
    public String stored() {
        return stored;
    }

    public static Optional<CaseActionKind> fromStored(String word) {
        return Arrays.stream(values()).filter(k -> k.stored.equals(word)).findFirst();
    }

    /** The stored words in order, for an error that says what is allowed. */
    public static TreeSet<String> words() {
        return Arrays.stream(values()).map(CaseActionKind::stored).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
}
