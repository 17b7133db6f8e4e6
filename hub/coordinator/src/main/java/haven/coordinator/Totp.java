package haven.coordinator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), on the JDK alone: HMAC-SHA1, 30-second steps,
 * 6 digits, what every authenticator app (and the otpauth:// URI's defaults) expects. One step either side is
 * accepted for a phone's clock drift; a step already used is never accepted again (the caller keeps the last).
 */
public final class Totp {
    public static final int STEP_SECONDS = 30;
    public static final int DIGITS = 6;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Totp() {
    }

    /** The step (T in RFC 6238) an instant falls in. */
    public static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), STEP_SECONDS);
    }

    /** HOTP value of one step; {@code algorithm} is a JCA Mac name (HmacSHA1 for staff; the others for RFC 6238's vectors). */
    public static String code(String algorithm, byte[] key, long step, int digits) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, "RAW"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                    | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
            long modulus = (long) Math.pow(10, digits);
            return String.format("%0" + digits + "d", binary % modulus);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    public static String code(byte[] key, long step) {
        return code("HmacSHA1", key, step, DIGITS);
    }

    /**
     * The step a typed code belongs to (now, or one step either side), if it is later than {@code lastUsedStep}:
     * a code seen once, or an older one, is refused even inside its 30 seconds.
     */
    public static OptionalLong matchingStep(byte[] key, String typed, Instant now, long lastUsedStep) {
        String digits = typed == null ? "" : typed.replaceAll("[\\s-]", "");
        if (!digits.matches("[0-9]{" + DIGITS + "}")) {
            return OptionalLong.empty();
        }
        long current = step(now);
        OptionalLong found = OptionalLong.empty();
        for (long s = current - 1; s <= current + 1; s++) {
            // Every step is compared, in constant time, so the answer's timing does not tell which one matched.
            boolean same = MessageDigest.isEqual(code(key, s).getBytes(StandardCharsets.US_ASCII), digits.getBytes(StandardCharsets.US_ASCII));
            if (same && s > lastUsedStep && found.isEmpty()) {
                found = OptionalLong.of(s);
            }
        }
        return found;
    }

    /** A new 160-bit secret (RFC 4226 recommends the hash's length). */
    public static byte[] newSecret(SecureRandom random) {
        byte[] key = new byte[20];
        random.nextBytes(key);
        return key;
    }

    /** RFC 4648 base32 without padding, as authenticator apps take a secret. */
    public static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    public static byte[] fromBase32(String text) {
        String clean = text.replace("=", "").replace(" ", "").toUpperCase(java.util.Locale.ROOT);
        ByteBuffer out = ByteBuffer.allocate(clean.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (char ch : clean.toCharArray()) {
            int v = BASE32.indexOf(ch);
            if (v < 0) {
                throw new IllegalArgumentException("not base32: '" + ch + "'");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return out.array();
    }

    /** What an authenticator app scans (Key Uri Format): issuer "Haven", the staff name as the account. */
    public static String otpauthUri(String issuer, String account, byte[] key) {
        String label = enc(issuer) + ":" + enc(account);
        return "otpauth://totp/" + label + "?secret=" + base32(key) + "&issuer=" + enc(issuer)
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP_SECONDS;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
