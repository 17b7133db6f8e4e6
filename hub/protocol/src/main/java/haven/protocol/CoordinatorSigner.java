package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The coordinator's Ed25519 key pair: signs what it publishes to hubs ({@link SignedPayload}). A hub's broker
 * password sits on a classroom Pi, and the demo broker is anonymous, so the broker cannot say who sent a
 * command; this signature can.
 */
public final class CoordinatorSigner {
    private final PrivateKey privateKey;
    private final CoordinatorKey publicKey;

    private CoordinatorSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = CoordinatorKey.of(publicKey);
    }

    public static CoordinatorSigner generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(SignedPayload.ALGORITHM).generateKeyPair();
            return new CoordinatorSigner(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + SignedPayload.ALGORITHM, e);
        }
    }

    /** From the PKCS#8 encoding of the private key and the X.509 encoding of the public key. */
    public static CoordinatorSigner of(byte[] pkcs8, byte[] x509) {
        try {
            KeyFactory keys = KeyFactory.getInstance(SignedPayload.ALGORITHM);
            CoordinatorSigner signer = new CoordinatorSigner(keys.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)),
                    keys.generatePublic(new X509EncodedKeySpec(x509)));
            signer.checkPair();
            return signer;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ContractViolation("the coordinator signing key is not an " + SignedPayload.ALGORITHM + " key pair");
        }
    }

    public byte[] pkcs8() {
        return privateKey.getEncoded();
    }

    public CoordinatorKey publicKey() {
        return publicKey;
    }

    /** The payload with its {@code sig} field added (any old one replaced). */
    public byte[] sign(String topic, byte[] payload) {
        JsonNode json = Json.parse(payload);
        if (!json.isObject()) {
            throw new ContractViolation("a signed payload must be a JSON object");
        }
        ObjectNode signed = (ObjectNode) json;
        signed.remove(SignedPayload.FIELD);
        byte[] signature = signature(SignedPayload.canonical(topic, signed));
        ObjectNode sig = signed.putObject(SignedPayload.FIELD);
        sig.put(SignedPayload.KEY_FIELD, publicKey.id());
        sig.put(SignedPayload.SIGNATURE_FIELD, Base64.getEncoder().encodeToString(signature));
        return Json.write(signed).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] signature(byte[] canonical) {
        try {
            // A Signature object holds state: one per call, so senders on several threads never share one.
            Signature s = Signature.getInstance(SignedPayload.ALGORITHM);
            s.initSign(privateKey);
            s.update(canonical);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    private void checkPair() throws GeneralSecurityException {
        byte[] probe = "haven key pair check".getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance(SignedPayload.ALGORITHM);
        s.initVerify(publicKey.key());
        s.update(probe);
        if (!s.verify(signature(probe))) {
            throw new GeneralSecurityException("the public key is not the private key's");
        }
    }
}
