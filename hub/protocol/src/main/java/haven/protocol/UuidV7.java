package haven.protocol;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/** RFC 9562 UUIDv7: time-ordered ids, so event ids sort by creation time in the coordinator's log. */
public final class UuidV7 {
    private final Clock clock;
    private final SecureRandom random;

    public UuidV7(Clock clock) {
        this.clock = clock;
        this.random = new SecureRandom();
    }

    public UUID next() {
        long millis = clock.millis();
        long randA = random.nextInt(1 << 12);
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
