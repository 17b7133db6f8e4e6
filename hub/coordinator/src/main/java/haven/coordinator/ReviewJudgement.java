package haven.coordinator;

import haven.store.Stored;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What one reviewer judged of a suspected-illegal-content concern: the group "judges whether the concern has
 * substance" (docs/CASEWORK.md). Stored in {@code case_review_parts.judgement} as {@link #stored()}.
 */
public enum ReviewJudgement implements Stored {
    SUBSTANCE("substance"),
    NO_SUBSTANCE("no-substance");

    private final String stored;

    ReviewJudgement(String stored) {
        this.stored = stored;
    }

    @Override
    public String stored() {
        return stored;
    }

    public static Optional<ReviewJudgement> fromStored(String word) {
        return Stored.find(ReviewJudgement.class, word);
    }

    /** The stored words in order, for an error that says what is allowed. */
    public static TreeSet<String> words() {
        return Stored.words(ReviewJudgement.class);
    }
}
