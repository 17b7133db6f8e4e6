package haven.protocol;

import java.util.regex.Pattern;

/** The contract's identifier rule for sites, rooms and key stages (docs/asyncapi.yaml, "MQTT contract v1"). */
public final class Ids {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private Ids() {
    }

    public static boolean isValid(String value) {
        return value != null && ID.matcher(value).matches();
    }

    /** Returns the value or throws naming the field, so config and payload errors say what was wrong. */
    public static String require(String field, String value) {
        if (!isValid(value)) {
            throw new IllegalArgumentException(
                    field + " must match [a-z0-9][a-z0-9-]{0,31}, got " + (value == null ? "nothing" : "'" + value + "'"));
        }
        return value;
    }
}
