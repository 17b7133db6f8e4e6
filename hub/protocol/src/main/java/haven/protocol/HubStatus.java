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
            hub.put("condition", condition);
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
        String state = Json.requireText(json, "state", 16);
        if (!state.equals("online") && !state.equals("offline")) {
            throw new ContractViolation("field 'state' must be online or offline, got '" + state + "'");
        }
        Instant at = Json.parseTime("at", Json.requireText(json, "at", 40));
        JsonNode hub = json.path("hub");
        JsonNode aup = hub.path("aup");
        List<String> isolations = new ArrayList<>();
        hub.path("isolations").forEach(n -> isolations.add(n.asText()));
        return new HubStatus(state.equals("online"), at, hub.path("version").asText(""),
                aup.path("keyStage").asText(""), aup.path("version").asText(""), isolations,
                hub.hasNonNull("condition") ? hub.get("condition").asText() : null, hub.path("lastSeq").asLong(0),
                HubHealth.fromJson(hub.path("health")));
    }
}
