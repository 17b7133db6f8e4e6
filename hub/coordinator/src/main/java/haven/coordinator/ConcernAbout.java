package haven.coordinator;

import haven.store.Stored;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Whom a concern logged by staff is about; it routes the concern ({@link Visibility}). Stored in
 * {@code incidents.about}, chained in {@code coordinator.concern-logged} and sent as {@link #stored()}; a worry or
 * any older incident has no value and counts as {@link #PUPIL}.
 */
public enum ConcernAbout implements Stored {
    PUPIL("pupil"),
    /** A member of staff: to the headteacher (and the chair of governors). */
    STAFF("staff"),
    /** The headteacher: to the chair of governors only. */
    HEAD("head");

    private final String stored;

    ConcernAbout(String stored) {
        this.stored = stored;
    }

    @Override
    public String stored() {
        return stored;
    }

    public static Optional<ConcernAbout> fromStored(String word) {
        return Stored.find(ConcernAbout.class, word);
    }

    public static TreeSet<String> words() {
        return Stored.words(ConcernAbout.class);
    }
}
