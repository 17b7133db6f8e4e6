package haven.store;

import java.util.Optional;
import java.util.TreeSet;

/**
 * An enum whose constants are kept in a TEXT column under a fixed spelling (for example
 * {@code "about-an-adult"}), not under their Java names: the stored words are part of the database
 * contract (reports, exports and older files read them), the Java names are free to change.
 * {@link SqlTypes} binds and reads every such enum through {@link #stored()}.
 */
public interface Stored {
    String stored();

    /** The constant of {@code type} stored as {@code word}, if any: the one reading of a stored word. */
    static <E extends Enum<E> & Stored> Optional<E> find(Class<E> type, String word) {
        return among(type.getEnumConstants(), word).map(type::cast);
    }

    /** The same reading over constants known only at run time (the column mapper sees a raw enum class). */
    static Optional<Stored> among(Object[] constants, String word) {
        for (Object constant : constants) {
            if (((Stored) constant).stored().equals(word)) {
                return Optional.of((Stored) constant);
            }
        }
        return Optional.empty();
    }

    /** Every stored word of {@code type}, sorted: for an error that says what is allowed. */
    static <E extends Enum<E> & Stored> TreeSet<String> words(Class<E> type) {
        TreeSet<String> words = new TreeSet<>();
        for (E constant : type.getEnumConstants()) {
            words.add(constant.stored());
        }
        return words;
    }
}
