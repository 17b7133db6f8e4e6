package haven.coordinator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a staff password must be, checked wherever one is set (`haven user add/passwd`, first-run setup, any
 * change through {@link StaffAccounts}): at least 10 characters, not the account's name, not one character
 * repeated, and not one of the passwords every guessing list starts with (common-passwords.txt, compared
 * ignoring case, spaces and trailing digits or "!", so "Password2024!" counts as "password").
 */
public final class PasswordPolicy {
    public static final int MIN_LENGTH = 10;
    private static final Set<String> COMMON = load();

    private PasswordPolicy() {
    }

    /** Throws with a message for the person choosing the password when it is refused. */
    public static void check(String name, char[] password) {
        String text = new String(password);
        if (password.length < MIN_LENGTH) {
            throw new IllegalArgumentException("password must be at least " + MIN_LENGTH + " characters");
        }
        if (text.equalsIgnoreCase(name)) {
            throw new IllegalArgumentException("password must not be the account's name");
        }
        if (text.chars().distinct().count() == 1) {
            throw new IllegalArgumentException("password must not be one character repeated");
        }
        String core = normal(text);
        if (COMMON.contains(text.toLowerCase(Locale.ROOT)) || COMMON.contains(core) || core.equalsIgnoreCase(name)) {
            throw new IllegalArgumentException("password is too common (it is on the lists guessers try first); choose another,"
                    + " for example three or four unrelated words");
        }
    }

    private static String normal(String text) {
        return text.toLowerCase(Locale.ROOT).replace(" ", "").replaceAll("[0-9!]+$", "");
    }

    private static Set<String> load() {
        var in = PasswordPolicy.class.getResourceAsStream("common-passwords.txt");
        if (in == null) {
            throw new IllegalStateException("common-passwords.txt is missing from haven-coordinator's resources");
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(l -> l.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
