package haven.coordinator;

import haven.store.Stored;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a reviewer says should follow a suspected-illegal-content review (docs/CASEWORK.md). Kept as their
 * stored words in the JSON array {@code case_review_parts.actions} and in the chained record.
 */
public enum ReviewAction implements Stored {
    INTERNAL_DISCIPLINE("internal-discipline"),
    LOCAL_AUTHORITY("local-authority"),
    POLICE("police");

    private final String stored;

    ReviewAction(String stored) {
        this.stored = stored;
    }

    @Override
    public String stored() {
        return stored;
    }

    public static Optional<ReviewAction> fromStored(String word) {
        return Stored.find(ReviewAction.class, word);
    }

    /** The stored words in order, for an error that says what is allowed. */
    public static TreeSet<String> words() {
        return Stored.words(ReviewAction.class);
    }
}
