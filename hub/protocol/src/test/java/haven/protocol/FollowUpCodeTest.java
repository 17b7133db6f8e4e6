package haven.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FollowUpCodeTest {
    private static final String KEY = "a-school-follow-up-key-of-32-chars-or-more";

    @Test
    void whatStaffTypeIsReadTheWayThePupilSaidIt() {
        FollowUpCode code = new FollowUpCode("owl", "fox");
        assertEquals(code, FollowUpCode.parse("Owl Fox"));
        assertEquals(code, FollowUpCode.parse("  owl-fox "));
        assertEquals(code, FollowUpCode.parse("OWL,  FOX"));
        assertThrows(IllegalArgumentException.class, () -> FollowUpCode.parse("owl"));
        assertThrows(IllegalArgumentException.class, () -> FollowUpCode.parse("owl owl"));
        assertThrows(IllegalArgumentException.class, () -> FollowUpCode.parse("owl unicorn"));
    }

    @Test
    void theHashNeedsTheKeyAndNeverContainsTheWords() {
        FollowUpCode code = new FollowUpCode("owl", "fox");
        String hash = code.hash(KEY);
        assertTrue(hash.matches("[0-9a-f]{64}"), hash);
        assertEquals(hash, FollowUpCode.parse("owl fox").hash(KEY), "the same code hashes the same way on hub and coordinator");
        assertNotEquals(hash, code.hash(KEY + "x"), "another school's key gives another hash");
        assertNotEquals(hash, new FollowUpCode("fox", "owl").hash(KEY), "word order matters");
        assertThrows(IllegalArgumentException.class, () -> code.hash("short"));
    }

    @Test
    void randomCodesAreTwoDifferentListedAnimalsAndSpreadOverTheList() {
        SecureRandom random = new SecureRandom();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            FollowUpCode code = FollowUpCode.random(random);
            assertNotEquals(code.first(), code.second());
            seen.add(code.first());
        }
        assertEquals(FollowUpCode.ANIMALS.size(), seen.size(), "every animal can be drawn");
        assertEquals(64, new HashSet<>(FollowUpCode.ANIMALS).size(), "64 distinct words");
        Set<String> prefixes = new HashSet<>();
        FollowUpCode.ANIMALS.forEach(a -> assertTrue(prefixes.add(a.substring(0, 3)), "shares its first three letters: " + a));
    }
}
