package haven.coordinator;

import haven.store.Stored;
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
        return Stored.find(CaseActionKind.class, word);
    }

    /** The stored words in order, for an error that says what is allowed. */
    public static TreeSet<String> words() {
        return Stored.words(CaseActionKind.class);
    }
}
