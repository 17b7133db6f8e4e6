package haven.classroom;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The teacher's kiosk PIN as hub.yaml keeps it ({@code kiosk.teacherPin}): never the PIN, only
 * {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (base64), made with the JDK's PBKDF2WithHmacSHA256 so a
 * copied SD card does not give the PIN away cheaply. A PIN is short, so the hub also limits wrong tries
 * ({@link TeacherMode}).
 */
public record TeacherPin(int iterations, byte[] salt, byte[] hash) {
    public static final String PREFIX = "pbkdf2-sha256";
    static final int ITERATIONS = 210_000;

    public static TeacherPin parse(String text) {
        String[] parts = text.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("a hash 'pbkdf2-sha256$ITERATIONS$SALT$HASH' (haven kiosk-pin makes one), not the PIN itself");
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (iterations < 10_000 || salt.length < 8 || hash.length != 32) {
                throw new IllegalArgumentException("at least 10000 iterations, a salt of 8+ bytes and a 32-byte hash");
            }
            return new TeacherPin(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a hash 'pbkdf2-sha256$ITERATIONS$SALT$HASH' in base64: " + e.getMessage());
        }
    }

    /** The line for hub.yaml: a fresh salt each time, so two rooms with the same PIN have different hashes. */
    public static String hash(String pin) {
        if (!pin.matches("[0-9]{4,12}")) {
            throw new IllegalArgumentException("the PIN must be 4 to 12 digits");
        }
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + "$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(derive(pin, salt, ITERATIONS));
    }

    public boolean matches(String pin) {
        return pin != null && pin.length() <= 12 && MessageDigest.isEqual(hash, derive(pin, salt, iterations));
    }

    private static byte[] derive(String pin, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(pin.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public String toString() {
        return "TeacherPin[" + PREFIX + ", " + iterations + " iterations]"; // never the hash in a log line
    }

}
