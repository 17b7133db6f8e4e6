package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The retained presence message on haven/v1/{site}/{room}/status; the offline form is also the Last Will.
 * {@code condition} says why a hub is degraded (e.g. its disk is full) so staff see it on the dashboard.
 * {@code lastSeq} is the highest event seq the hub has committed: the coordinator compares it with its
 * log to find events it never received (even the last ones) and asks for them again (cmd/resend).
 */
public record HubStatus(boolean online, Instant at, String version, String aupKeyStage, String aupVersion,
                        List<String> isolations, String condition, long lastSeq, java.util.Optional<HubHealth> health) {
    public HubStatus {
        isolations = List.copyOf(isolations);
    }

    /** Without health (the Last Will, and hubs from before hub.health). */
    public HubStatus(boolean online, Instant at, String version, String aupKeyStage, String aupVersion,
                     List<String> isolations, String condition, long lastSeq) {
        this(online, at, version, aupKeyStage, aupVersion, isolations, condition, lastSeq, java.util.Optional.empty());
    }

    /** The outbox's condition carries an exception message; the hub cuts it to this. */
    public static final int MAX_CONDITION = 200;
    private static final int MAX_ISOLATIONS = 64;

    private static void bounded(JsonNode parent, String field, int max) {
        JsonNode value = parent.path(field.substring(field.lastIndexOf('.') + 1));
        if (!value.isMissingNode() && !value.isNull() && (!value.isTextual() || value.asText().length() > max)) {
            throw new ContractViolation("field '" + field + "' must be text of at most " + max + " characters");
        }
    }

    public byte[] encode() {
        ObjectNode json = Json.object();
        json.put("state", online ? "online" : "offline");
        json.put("at", Json.time(at));
        ObjectNode hub = json.putObject("hub");
        hub.put("version", version);
        ObjectNode aup = hub.putObject("aup");
        aup.put("keyStage", aupKeyStage);
        aup.put("version", aupVersion);
        ArrayNode list = hub.putArray("isolations");
        isolations.forEach(list::add);
        if (condition != null) {
            hub.put("condition", condition.length() > MAX_CONDITION ? condition.substring(0, MAX_CONDITION) : condition);
        }
        hub.put("lastSeq", lastSeq);
        health.ifPresent(h -> hub.set("health", h.toJson()));
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }

    public static HubStatus decode(byte[] payload) {
        if (payload.length > EventCodec.MAX_PAYLOAD_BYTES) {
            throw new ContractViolation("status payload is " + payload.length + " bytes, over the limit");
        }
        JsonNode json = Json.parse(payload);
        if (!json.isObject()) {
            throw new ContractViolation("status payload must be a JSON object");
        }
        // Strict and bounded like an event: a retained status is shown on every dashboard and kept in rooms.
        Json.onlyFields(json, "", List.of("state", "at", "hub"));
        String state = Json.requireText(json, "state", 16);
        if (!state.equals("online") && !state.equals("offline")) {
            throw new ContractViolation("field 'state' must be online or offline");
        }
        Instant at = Json.parseTime("at", Json.requireText(json, "at", 40));
        JsonNode hub = json.path("hub");
        if (!hub.isMissingNode() && !hub.isObject()) {
            throw new ContractViolation("field 'hub' must be an object");
        }
        Json.onlyFields(hub, "hub.", List.of("version", "aup", "isolations", "condition", "lastSeq", "health"));
        JsonNode aup = hub.path("aup");
        Json.onlyFields(aup, "hub.aup.", List.of("keyStage", "version"));
        bounded(hub, "hub.version", 32);
        bounded(aup, "hub.aup.keyStage", 32);
        bounded(aup, "hub.aup.version", 64);
        bounded(hub, "hub.condition", MAX_CONDITION);
        JsonNode list = hub.path("isolations");
        if (!list.isMissingNode() && (!list.isArray() || list.size() > MAX_ISOLATIONS)) {
            throw new ContractViolation("field 'hub.isolations' must be a list of at most " + MAX_ISOLATIONS);
        }
        List<String> isolations = new ArrayList<>();
        for (JsonNode n : list) {
            if (!n.isTextual() || n.asText().isEmpty() || n.asText().length() > 32) {
                throw new ContractViolation("field 'hub.isolations' must hold machine labels of 1 to 32 characters");
            }
            isolations.add(n.asText());
        }
        JsonNode lastSeq = hub.path("lastSeq");
        if (!lastSeq.isMissingNode() && (!lastSeq.isIntegralNumber() || !lastSeq.canConvertToLong() || lastSeq.asLong() < 0)) {
            throw new ContractViolation("field 'hub.lastSeq' must be a whole number, 0 or more");
        }
        return new HubStatus(state.equals("online"), at, hub.path("version").asText(""),
                aup.path("keyStage").asText(""), aup.path("version").asText(""), isolations,
                hub.hasNonNull("condition") ? hub.get("condition").asText() : null, hub.path("lastSeq").asLong(0),
                HubHealth.fromJson(hub.path("health")));
    }
}
