package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one definition of what the coordinator signs (docs/asyncapi.yaml, "Coordinator signature"). A signed
 * payload is a JSON object with one more field, {@code sig}: {"key": key id, "ed25519": base64 signature}.
 * The signature covers the canonical bytes:
 *
 * <pre>
 *   "haven-sig-v1\n" + decimal byte length of the topic + "\n" + topic + "\n" + canonical JSON
 * </pre>
 *
 * all UTF-8, where the canonical JSON is the payload without {@code sig}, keys sorted at every level, no
 * whitespace ({@link Json#canonical}). The topic is inside the signature so a genuine cmd/ack for one room
 * cannot be replayed as a command to another room, or as another command. Its length is written first so no
 * topic and payload pair can be read as a different pair. Signed payloads hold only strings, integers,
 * booleans, objects and arrays, whose canonical text is the same in every JSON library.
 */
public final class SignedPayload {
    /** The field of a payload that carries the coordinator's signature. */
    public static final String FIELD = "sig";
    public static final String KEY_FIELD = "key";
    public static final String SIGNATURE_FIELD = "ed25519";
    /** The JDK's built-in algorithm name (java.security, SunEC): no library of our own does cryptography. */
    public static final String ALGORITHM = "Ed25519";
    static final String CONTEXT = "haven-sig-v1";

    private SignedPayload() {
    }

    /**
     * The payload without its {@code sig}, unchecked: for a hub that verifies nothing (hub.yaml
     * {@code coordinator.unsignedCommands}) but still reads a signing coordinator's strict payloads. Anything that is
     * not a JSON object with a {@code sig} comes back as it was.
     */
    public static byte[] withoutSignature(byte[] payload) {
        if (payload.length == 0 || payload[0] != '{') {
            return payload;
        }
        try {
            JsonNode json = Json.parse(payload);
            if (!json.isObject() || !json.has(FIELD)) {
                return payload;
            }
            ((ObjectNode) json).remove(FIELD);
            return Json.write(json).getBytes(StandardCharsets.UTF_8);
        } catch (ContractViolation e) {
            return payload;
        }
    }

    /** The bytes the signature covers; {@code payload} without its {@code sig} field (it is ignored if there). */
    public static byte[] canonical(String topic, JsonNode payload) {
        if (topic == null || topic.isEmpty()) {
            throw new ContractViolation("a signed message needs its topic");
        }
        if (payload == null || !payload.isObject()) {
            throw new ContractViolation("a signed payload must be a JSON object");
        }
        ObjectNode unsigned = ((ObjectNode) payload).deepCopy();
        unsigned.remove(FIELD);
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((CONTEXT + "\n" + topicBytes.length + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(topicBytes);
        out.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(Json.canonical(unsigned).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
