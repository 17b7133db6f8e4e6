package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The school's filter test list, retained on haven/v1/{site}/_site/filter-targets: what every hub of the site
 * tries to reach, per category, and how it recognises the filter's answer (a block page's signature, the
 * certificate issuer of the filter's TLS interception, the addresses its DNS sinkholes names to).
 */
public record FilterTargets(Instant publishedAt, List<Target> targets, List<String> blockPageSignatures,
                            List<String> interceptionIssuers, List<String> sinkholes) {
    public static final int MAX_TARGETS = 64;
    public static final int MAX_TEXT = 200;

    /** One thing to try: a host name or an http(s) URL, and what the school expects (today always blocked). */
    public record Target(String category, String target, String expected) {
        public Target {
            Ids.require("category", category);
            if (target == null || target.isBlank() || target.length() > MAX_TEXT || target.chars().anyMatch(Character::isWhitespace)) {
                throw new ContractViolation("field 'targets.target' must be a host name or URL of 1.." + MAX_TEXT + " characters without spaces");
            }
            if (!"blocked".equals(expected) && !"reachable".equals(expected)) {
                throw new ContractViolation("field 'targets.expected' must be blocked or reachable");
            }
        }
    }

    public FilterTargets {
        targets = List.copyOf(targets);
        blockPageSignatures = List.copyOf(blockPageSignatures);
        interceptionIssuers = List.copyOf(interceptionIssuers);
        sinkholes = List.copyOf(sinkholes);
        if (targets.size() > MAX_TARGETS) {
            throw new ContractViolation("field 'targets' has " + targets.size() + " entries, over the limit of " + MAX_TARGETS);
        }
        for (List<String> texts : List.of(blockPageSignatures, interceptionIssuers, sinkholes)) {
            for (String text : texts) {
                if (text == null || text.isBlank() || text.length() > MAX_TEXT) {
                    throw new ContractViolation("signatures, issuers and sinkholes must be 1.." + MAX_TEXT + " characters");
                }
            }
        }
    }

    public byte[] encode() {
        ObjectNode json = Json.object();
        json.put("publishedAt", Json.time(publishedAt));
        ArrayNode list = json.putArray("targets");
        for (Target t : targets) {
            ObjectNode o = list.addObject();
            o.put("category", t.category());
            o.put("target", t.target());
            o.put("expected", t.expected());
        }
        blockPageSignatures.forEach(json.putArray("blockPageSignatures")::add);
        interceptionIssuers.forEach(json.putArray("interceptionIssuers")::add);
        sinkholes.forEach(json.putArray("sinkholes")::add);
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }

    public static FilterTargets decode(byte[] payload) {
        if (payload.length > EventCodec.MAX_PAYLOAD_BYTES) {
            throw new ContractViolation("filter targets payload is over the limit of " + EventCodec.MAX_PAYLOAD_BYTES + " bytes");
        }
        JsonNode json = Json.parse(payload);
        Json.onlyFields(json, "", List.of("publishedAt", "targets", "blockPageSignatures", "interceptionIssuers", "sinkholes"));
        Instant at = Json.parseTime("publishedAt", Json.requireText(json, "publishedAt", 40));
        if (!json.path("targets").isArray()) {
            throw new ContractViolation("field 'targets' is missing or not a list");
        }
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : json.get("targets")) {
            Json.onlyFields(t, "targets.", List.of("category", "target", "expected"));
            targets.add(new Target(Json.requireText(t, "targets.category", 32), Json.requireText(t, "targets.target", MAX_TEXT),
                    Json.requireText(t, "targets.expected", 16)));
        }
        return new FilterTargets(at, targets, texts(json, "blockPageSignatures"), texts(json, "interceptionIssuers"),
                texts(json, "sinkholes"));
    }

    private static List<String> texts(JsonNode json, String field) {
        List<String> out = new ArrayList<>();
        JsonNode list = json.path(field);
        if (!list.isMissingNode() && !list.isArray()) {
            throw new ContractViolation("field '" + field + "' must be a list of strings");
        }
        for (JsonNode n : list) {
            if (!n.isTextual()) {
                throw new ContractViolation("field '" + field + "' must be a list of strings");
            }
            out.add(n.asText());
        }
        return out;
    }
}
