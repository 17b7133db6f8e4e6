package haven.config;

/** A user mistake in a config file; printed without a stack trace. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
