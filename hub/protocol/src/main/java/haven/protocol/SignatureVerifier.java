package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;

/**
 * Checks the coordinator's signature on a message a hub is about to act on ({@link SignedPayload}). Returns
 * the payload without {@code sig}, which the message's own codec then reads as before.
 */
public final class SignatureVerifier {
    private final CoordinatorKey key;

    public SignatureVerifier(CoordinatorKey key) {
        this.key = java.util.Objects.requireNonNull(key, "key");
    }

    /** Why a message was refused: the word goes in the hub's log line and its metric label. */
    public enum Reason {
        UNSIGNED("unsigned"),
        MALFORMED("malformed-signature"),
        OTHER_KEY("other-key"),
        BAD_SIGNATURE("bad-signature"),
        STALE("stale"),
        REPLAYED("replayed"),
        INVALID("invalid");

        private final String word;

        Reason(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    /** A refused message. The message names the reason only, never a value from the payload. */
    public static final class Refused extends Exception {
        private final Reason reason;

        public Refused(Reason reason) {
            super(reason.word());
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    public byte[] verify(String topic, byte[] payload) throws Refused {
        JsonNode json;
        try {
            json = Json.parse(payload);
        } catch (ContractViolation e) {
            throw new Refused(Reason.UNSIGNED);
        }
        if (!json.isObject() || !json.has(SignedPayload.FIELD)) {
            throw new Refused(Reason.UNSIGNED);
        }
        JsonNode sig = json.get(SignedPayload.FIELD);
        if (!sig.isObject() || sig.size() != 2 || !sig.path(SignedPayload.KEY_FIELD).isTextual()
                || !sig.path(SignedPayload.SIGNATURE_FIELD).isTextual()) {
            throw new Refused(Reason.MALFORMED);
        }
        if (!key.id().equals(sig.get(SignedPayload.KEY_FIELD).asText())) {
            throw new Refused(Reason.OTHER_KEY);
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(sig.get(SignedPayload.SIGNATURE_FIELD).asText());
        } catch (IllegalArgumentException e) {
            throw new Refused(Reason.MALFORMED);
        }
        ObjectNode unsigned = ((ObjectNode) json).deepCopy();
        unsigned.remove(SignedPayload.FIELD);
        if (!matches(SignedPayload.canonical(topic, unsigned), signature)) {
            // The key id is only a label: a forger can copy it, so a wrong signature under our id is "bad".
            throw new Refused(Reason.BAD_SIGNATURE);
        }
        return Json.write(unsigned).getBytes(StandardCharsets.UTF_8);
    }

    private boolean matches(byte[] canonical, byte[] signature) {
        try {
            Signature s = Signature.getInstance(SignedPayload.ALGORITHM);
            s.initVerify(key.key());
            s.update(canonical);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // a signature of the wrong length or form is simply not ours
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot verify " + SignedPayload.ALGORITHM, e);
        }
    }
}
