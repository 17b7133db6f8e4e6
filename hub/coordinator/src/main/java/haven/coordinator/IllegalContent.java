package haven.coordinator;

import haven.store.Stored;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Whether illegal content is suspected in a case (docs/CASEWORK.md); stored in {@code incidents.illegal}, chained
 * in {@code coordinator.concern-logged} and {@code coordinator.illegal-changed}, and sent as {@link #stored()}. A worry
 * or any older incident has no value, read as {@link #NONE}.
 */
public enum IllegalContent implements Stored {
    NONE("none"),
    /** No attachment is kept, whichever way it is sent: "except in the case of images of child sexual abuse". */
    SUSPECTED_CSAM("suspected-csam"),
    OTHER_SUSPECTED_ILLEGAL("other-suspected-illegal");

    private final String stored;

    IllegalContent(String stored) {
        this.stored = stored;
    }

    @Override
    public String stored() {
        return stored;
    }

    public static Optional<IllegalContent> fromStored(String word) {
        return Stored.find(IllegalContent.class, word);
    }

    public static TreeSet<String> words() {
        return Stored.words(IllegalContent.class);
    }
}
