package haven.coordinator.notify;

import java.math.BigInteger;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Web Push on the JDK alone: message encryption for one subscription (RFC 8291, with the aes128gcm content
 * coding of RFC 8188) and the VAPID authorisation that tells the push service who we are (RFC 8292).
 */
public final class WebPush {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODE = Base64.getUrlDecoder();
    /** One record holds the whole alert (a few hundred bytes); 4096 is what browsers expect. */
    private static final int RECORD_SIZE = 4096;

    private final SecureRandom random;

    public WebPush(SecureRandom random) {
        this.random = random;
    }

    public static ECParameterSpec p256() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is required by the Java platform", e);
        }
    }

    public KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is required by the Java platform", e);
        }
    }

    /** The uncompressed point 0x04 || X || Y (65 bytes), as browsers give p256dh and expect applicationServerKey. */
    public static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        fixed(key.getW().getAffineX(), out, 1);
        fixed(key.getW().getAffineY(), out, 33);
        return out;
    }

    public static ECPublicKey publicKey(byte[] uncompressed) {
        if (uncompressed.length != 65 || uncompressed[0] != 4) {
            throw new IllegalArgumentException("p256dh must be an uncompressed P-256 point (65 bytes), got " + uncompressed.length);
        }
        try {
            ECPoint w = new ECPoint(new BigInteger(1, java.util.Arrays.copyOfRange(uncompressed, 1, 33)),
                    new BigInteger(1, java.util.Arrays.copyOfRange(uncompressed, 33, 65)));
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, p256()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("p256dh is not a point on P-256");
        }
    }

    private static void fixed(BigInteger n, byte[] out, int at) {
        byte[] b = n.toByteArray();
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, at + 32 - len, len);
    }

    public static String base64Url(byte[] bytes) {
        return B64URL.encodeToString(bytes);
    }

    public static byte[] fromBase64Url(String text) {
        return B64URL_DECODE.decode(text.replace('+', '-').replace('/', '_').replace("=", ""));
    }

    /** RFC 8291 section 3: the body to POST to the subscription's endpoint. */
    public byte[] encrypt(byte[] plaintext, ECPublicKey uaPublic, byte[] authSecret) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return encrypt(plaintext, uaPublic, authSecret, newKeyPair(), salt);
    }

    /** With a given key pair and salt: RFC 8291 Appendix A's example, which a test checks byte for byte. */
    static byte[] encrypt(byte[] plaintext, ECPublicKey uaPublic, byte[] authSecret, KeyPair ephemeral, byte[] salt) {
        try {
            byte[] asPublic = uncompressed((ECPublicKey) ephemeral.getPublic());
            byte[] uaPublicBytes = uncompressed(uaPublic);
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(ephemeral.getPrivate());
            agreement.doPhase(uaPublic, true);
            byte[] ecdhSecret = agreement.generateSecret();
            byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublicBytes, asPublic);
            byte[] ikm = hkdf(authSecret, ecdhSecret, keyInfo, 32);
            byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
            byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);
            // RFC 8188: the last (and only) record ends with the delimiter 0x02, no padding after it.
            byte[] padded = concat(plaintext, new byte[] {2});
            if (padded.length + 16 > RECORD_SIZE) {
                throw new IllegalArgumentException("push message too long: " + plaintext.length + " bytes");
            }
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
            byte[] ciphertext = gcm.doFinal(padded);
            ByteBuffer body = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + ciphertext.length);
            body.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic).put(ciphertext);
            return body.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Web Push encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * RFC 8292: "vapid t=JWT, k=PUBLIC". The JWT's audience is the push service's origin, it expires within
     * 24 hours (we use 12), and {@code subject} (mailto: or https:) is who the push service may contact.
     */
    public static String vapidAuthorization(URI endpoint, String subject, Instant now, PrivateKey vapidPrivate, byte[] vapidPublic) {
        String audience = endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort());
        String header = base64Url("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8));
        com.fasterxml.jackson.databind.node.ObjectNode claims = haven.protocol.Json.object();
        claims.put("aud", audience);
        claims.put("exp", now.plusSeconds(12 * 3600).getEpochSecond());
        claims.put("sub", subject);
        String payload = base64Url(haven.protocol.Json.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            // JWS ES256 wants R || S (64 bytes), the P1363 form, not the DER the plain algorithm name gives.
            Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
            es256.initSign(vapidPrivate);
            es256.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return "vapid t=" + header + "." + payload + "." + base64Url(es256.sign()) + ", k=" + base64Url(vapidPublic);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("VAPID signature failed: " + e.getMessage(), e);
        }
    }

    /** HKDF-SHA-256 (RFC 5869) extract-then-expand, for at most one block of output. */
    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return java.util.Arrays.copyOf(mac.doFinal(), length);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer out = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }
}
