package haven.coordinator;

import haven.store.Stored;
import java.util.Optional;
import java.util.TreeSet;

/**
 * How an incident was closed; stored in {@code incidents.outcome}, chained in {@code coordinator.closed} and
 * sent to the dashboard as {@link #stored()}. Staff choose one of the outcomes {@link #chosenAtClosing()}; a failed
 * filter check closed by its recorded action gets {@link #FILTER_ACTION_RECORDED}, which the close form never offers.
 */
public enum CloseOutcome implements Stored {
    RESOLVED_IN_CLASS("resolved-in-class", true),
    REFERRED_TO_DSL("referred-to-dsl", true),
    PARENTS_INFORMED("parents-informed", true),
    REFERRED_TO_POLICE_OR_LADO("referred-to-police-or-lado", true),
    NO_FURTHER_ACTION("no-further-action", true),
    FILTER_ACTION_RECORDED("filter-action-recorded", false);

    private final String stored;
    private final boolean chosenAtClosing;

    CloseOutcome(String stored, boolean chosenAtClosing) {
        this.stored = stored;
        this.chosenAtClosing = chosenAtClosing;
    }

    @Override
    public String stored() {
        return stored;
    }

    /** Whether staff may pick it on the close form (POST /api/incidents/{id}/close). */
    public boolean chosenAtClosing() {
        return chosenAtClosing;
    }

    public static Optional<CloseOutcome> fromStored(String word) {
        return Stored.find(CloseOutcome.class, word);
    }

    /** The outcome a chained {@code coordinator.closed} names; a word no version ever wrote is an error naming the field. */
    public static CloseOutcome recorded(String word) {
        return fromStored(word).orElseThrow(() -> new IllegalStateException(
                "coordinator.closed: field 'outcome' is not one of " + Stored.words(CloseOutcome.class)));
    }

    /** The words of the close form, in order, for an error that says what is allowed. */
    public static TreeSet<String> chosenWords() {
        TreeSet<String> words = new TreeSet<>();
        for (CloseOutcome o : values()) {
            if (o.chosenAtClosing) {
                words.add(o.stored);
            }
        }
        return words;
    }
}
