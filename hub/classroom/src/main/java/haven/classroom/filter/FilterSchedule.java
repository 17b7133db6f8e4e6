package haven.classroom.filter;

import haven.protocol.RoomId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;

/**
 * When a room's scheduled filter check runs: once every {@code period} (default a week), at an offset within the
 * period fixed by the room's id, so that the rooms of a school do not all test at the same minute and a room
 * tests at the same point of each week (a stable offset makes "last week's check" comparable).
 */
public record FilterSchedule(Duration period, RoomId room) {
    public FilterSchedule {
        if (period.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("filter check period must be at least a minute, got " + period);
        }
    }

    /** The room's offset into each period: a hash of site/room, the same on every start of the hub. */
    public Duration offset() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((room.site() + "/" + room.room()).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return Duration.ofMillis(Math.floorMod(v, period.toMillis()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** The first scheduled run strictly after {@code now}; periods count from the Unix epoch. */
    public Instant nextAfter(Instant now) {
        long p = period.toMillis();
        long start = Math.floorDiv(now.toEpochMilli(), p) * p + offset().toMillis();
        Instant candidate = Instant.ofEpochMilli(start);
        return candidate.isAfter(now) ? candidate : candidate.plusMillis(p);
    }
}
