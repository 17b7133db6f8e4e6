package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The head of the coordinator's evidence chain as the hubs witness it: the log position of the last row,
 * that row's hash, and when the coordinator published it. Retained on haven/v1/{site}/_site/chain-head
 * and carried in every command as {@code chainHead}. A hub keeps what it saw, so an insider who rewrites
 * or truncates the coordinator's database is caught by {@code haven verify-log --hub-db} (docs/EVIDENCE.md):
 * the hash at a witnessed position commits to every row before it.
 */
public record ChainHead(long position, String hash, Instant at) {
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    /** The field of a command that carries the head. */
    public static final String COMMAND_FIELD = "chainHead";

    public ChainHead {
        if (position < 1) {
            throw new ContractViolation("field 'position' must be a log position of 1 or more, got " + position);
        }
        if (hash == null || !HASH.matcher(hash).matches()) {
            throw new ContractViolation("field 'hash' must be 64 lowercase hex characters");
        }
        java.util.Objects.requireNonNull(at, "at");
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("position", position);
        json.put("hash", hash);
        json.put("at", Json.time(at));
        return json;
    }

    public byte[] encode() {
        return Json.write(toJson()).getBytes(StandardCharsets.UTF_8);
    }

    public static ChainHead decode(byte[] payload) {
        if (payload.length > EventCodec.MAX_PAYLOAD_BYTES) {
            throw new ContractViolation("chain head payload is over the limit of " + EventCodec.MAX_PAYLOAD_BYTES + " bytes");
        }
        return from(Json.parse(payload));
    }

    public static ChainHead from(JsonNode json) {
        if (!json.isObject()) {
            throw new ContractViolation("field 'chainHead' must be an object");
        }
        Json.onlyFields(json, "chainHead.", List.of("position", "hash", "at"));
        return new ChainHead(Json.requirePositiveLong(json, "position"), Json.requireText(json, "hash", 64),
                Json.parseTime("at", Json.requireText(json, "at", 40)));
    }
}
