package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** RFC 6238 appendix B's test vectors, and the drift window and no-reuse rule staff logins rely on. */
class TotpTest {
    private static final byte[] SHA1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHA512 = "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

    @Test
    void rfc6238AppendixBVectors() {
        long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
        String[] sha1 = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
        String[] sha256 = {"46119246", "68084774", "67062674", "91819424", "90698825", "77737706"};
        String[] sha512 = {"90693936", "25091201", "99943326", "93441116", "38618901", "47863826"};
        for (int i = 0; i < times.length; i++) {
            long step = Totp.step(Instant.ofEpochSecond(times[i]));
            assertEquals(sha1[i], Totp.code("HmacSHA1", SHA1, step, 8), "SHA1 at " + times[i]);
            assertEquals(sha256[i], Totp.code("HmacSHA256", SHA256, step, 8), "SHA256 at " + times[i]);
            assertEquals(sha512[i], Totp.code("HmacSHA512", SHA512, step, 8), "SHA512 at " + times[i]);
        }
        // Six digits are the last six of the same value (RFC 4226's truncation modulo 10^6).
        assertEquals("287082", Totp.code(SHA1, Totp.step(Instant.ofEpochSecond(59))));
    }

    @Test
    void oneStepOfDriftEitherSideAndNoCodeTwice() {
        Instant now = Instant.ofEpochSecond(1234567890L);
        long step = Totp.step(now);
        assertEquals(OptionalLong.of(step), Totp.matchingStep(SHA1, Totp.code(SHA1, step), now, 0));
        assertEquals(OptionalLong.of(step - 1), Totp.matchingStep(SHA1, Totp.code(SHA1, step - 1), now, 0));
        assertEquals(OptionalLong.of(step + 1), Totp.matchingStep(SHA1, Totp.code(SHA1, step + 1), now, 0));
        assertTrue(Totp.matchingStep(SHA1, Totp.code(SHA1, step - 2), now, 0).isEmpty(), "a minute old");
        assertTrue(Totp.matchingStep(SHA1, Totp.code(SHA1, step + 2), now, 0).isEmpty());
        assertTrue(Totp.matchingStep(SHA1, Totp.code(SHA1, step), now, step).isEmpty(), "the same code again");
        assertTrue(Totp.matchingStep(SHA1, Totp.code(SHA1, step - 1), now, step).isEmpty(), "an older code after a newer one");
        assertTrue(Totp.matchingStep(SHA1, "12345", now, 0).isEmpty());
        assertTrue(Totp.matchingStep(SHA1, null, now, 0).isEmpty());
    }

    @Test
    void base32RoundTripsAndTheUriIsWhatAppsScan() {
        assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.base32(SHA1));
        assertArrayEquals(SHA1, Totp.fromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
        assertEquals("otpauth://totp/Haven:dsl?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Haven&algorithm=SHA1&digits=6&period=30",
                Totp.otpauthUri("Haven", "dsl", SHA1));
    }
}
