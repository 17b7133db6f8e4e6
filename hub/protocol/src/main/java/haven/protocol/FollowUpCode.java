package haven.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The code a pupil takes to a trusted adult: two animal words a six-year-old can read and say ("owl
 * fox"). The hub shows it once; only its keyed hash (HMAC-SHA256 under the school's follow-up key, which
 * hub and coordinator share and the broker never sees) travels in {@code worry.follow-up}, so neither the
 * wire nor the log can be searched for a code without the key. 64 x 63 = 4,032 codes: guessing is
 * stopped by the rate-limited look-up, not by the size of the space (docs/KIOSK.md).
 */
public record FollowUpCode(String first, String second) {
    /** Short, distinct, picturable words; no two share their first three letters, so a misheard one is rare. */
    public static final List<String> ANIMALS = List.of(
            "ant", "bat", "bear", "bee", "camel", "cat", "cow", "crab",
            "deer", "dog", "dolphin", "donkey", "duck", "eagle", "eel", "elephant",
            "fish", "fox", "frog", "giraffe", "goat", "goose", "gorilla", "hamster",
            "hedgehog", "hen", "hippo", "horse", "kangaroo", "koala", "ladybird", "lamb",
            "lion", "lizard", "llama", "mole", "monkey", "moose", "mouse", "newt",
            "octopus", "otter", "owl", "panda", "parrot", "penguin", "pig", "pony",
            "rabbit", "robin", "seal", "shark", "sheep", "snail", "spider", "worm",
            "squirrel", "swan", "tiger", "tortoise", "turtle", "whale", "wolf", "zebra");
    public static final int MIN_KEY_CHARS = 32;
    private static final String CONTEXT = "haven-follow-up-v1|";

    public FollowUpCode {
        if (!ANIMALS.contains(first) || !ANIMALS.contains(second) || first.equals(second)) {
            throw new IllegalArgumentException("a follow-up code is two different animal words from the list");
        }
    }

    public static FollowUpCode random(SecureRandom random) {
        int a = random.nextInt(ANIMALS.size());
        int b = random.nextInt(ANIMALS.size() - 1);
        return new FollowUpCode(ANIMALS.get(a), ANIMALS.get(b >= a ? b + 1 : b));
    }

    /** What a member of staff typed ("Owl Fox", "owl-fox", " owl  fox "); a calm error names what is wrong. */
    public static FollowUpCode parse(String typed) {
        String[] words = typed.toLowerCase(Locale.ROOT).trim().split("[^a-z]+");
        if (words.length != 2 || !ANIMALS.contains(words[0]) || !ANIMALS.contains(words[1]) || words[0].equals(words[1])) {
            throw new IllegalArgumentException("a follow-up code is two animal words, like 'owl fox'");
        }
        return new FollowUpCode(words[0], words[1]);
    }

    /** As the kiosk shows it and the pupil says it. */
    public String text() {
        return first + " " + second;
    }

    /** The keyed hash carried on the wire; hex, 64 characters. */
    public String hash(String key) {
        if (key == null || key.length() < MIN_KEY_CHARS) {
            throw new IllegalArgumentException("followUp.key must be at least " + MIN_KEY_CHARS + " characters");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((CONTEXT + text()).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
