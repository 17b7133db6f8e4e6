package haven.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The coordinator's public key as a hub holds it: hub.yaml {@code coordinator.publicKey}, the base64 of its
 * X.509 (SubjectPublicKeyInfo) encoding, as {@code coordinator-signing.pub} holds it. The id, the first 8
 * bytes of the SHA-256 of that encoding in hex, goes in every signature so a hub can say "signed by another
 * key" apart from "signature does not match".
 */
public record CoordinatorKey(PublicKey key, String id) {
    public CoordinatorKey {
        java.util.Objects.requireNonNull(key, "key");
        if (!SignedPayload.ALGORITHM.equalsIgnoreCase(key.getAlgorithm()) && !"EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            throw new ContractViolation("the coordinator key must be an " + SignedPayload.ALGORITHM + " key");
        }
    }

    public static CoordinatorKey of(PublicKey key) {
        return new CoordinatorKey(key, idOf(key.getEncoded()));
    }

    /** Parses hub.yaml's {@code coordinator.publicKey}; the message names what is wrong, never the text. */
    public static CoordinatorKey parse(String base64) {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64 == null ? "" : base64.strip());
        } catch (IllegalArgumentException e) {
            throw new ContractViolation("the coordinator public key must be base64 (the text of coordinator-signing.pub)");
        }
        try {
            PublicKey key = KeyFactory.getInstance(SignedPayload.ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
            return new CoordinatorKey(key, idOf(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ContractViolation("the coordinator public key is not an " + SignedPayload.ALGORITHM + " public key");
        }
    }

    /** The text of coordinator-signing.pub and of hub.yaml's coordinator.publicKey. */
    public String encoded() {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    static String idOf(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
