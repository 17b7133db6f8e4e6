package haven.store;

/**
 * An enum whose constants are kept in a TEXT column under a fixed spelling (for example
 * {@code "about-an-adult"}), not under their Java names: the stored words are part of the database
 * contract (reports, exports and older files read them), the Java names are free to change.
 * {@link SqlTypes} binds and reads every such enum through {@link #stored()}.
 */
public interface Stored {
    String stored();
}
