package haven.protocol;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/** RFC 9562 UUIDv7: time-ordered ids, so event ids sort by creation time in the coordinator's log. */
public final class UuidV7 {
    /**
     * The one spelling the contract accepts (docs/asyncapi.yaml, Uuid7): lowercase, version 7, RFC variant.
     * UUID.fromString alone takes upper case, other versions and short forms ("1-2-3-4-5"), so case variants of
     * one id would be five different report ids.
     */
    private static final java.util.regex.Pattern CANONICAL =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    private final Clock clock;
    private final SecureRandom random;

    public UuidV7(Clock clock) {
        this.clock = clock;
        this.random = new SecureRandom();
    }

    public static boolean isCanonical(String id) {
        return id != null && CANONICAL.matcher(id).matches();
    }

    public UUID next() {
        long millis = clock.millis();
        long randA = random.nextInt(1 << 12);
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
