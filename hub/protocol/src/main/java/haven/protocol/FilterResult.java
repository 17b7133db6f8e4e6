package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One line of a filter.checked event's {@code data.results}: what was tried, what the school expected, what
 * happened ({@code blocked}, {@code reachable}, or {@code error} when the hub could not tell, e.g. no DNS
 * answer at all) and the evidence (resolved address, status, certificate issuer, time taken). Never a body.
 */
public record FilterResult(String category, String target, String expected, String result, ObjectNode evidence) {
    public static final List<String> RESULTS = List.of("blocked", "reachable", "error");

    public FilterResult {
        new FilterTargets.Target(category, target, expected);
        if (!RESULTS.contains(result)) {
            throw new ContractViolation("field 'data.results.result' must be one of " + RESULTS);
        }
        if (evidence == null) {
            throw new ContractViolation("field 'data.results.evidence' is missing");
        }
    }

    /** Failed: the school expected it blocked and this room's network let it through. */
    public boolean failed() {
        return expected.equals("blocked") && result.equals("reachable");
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("category", category);
        o.put("target", target);
        o.put("expected", expected);
        o.put("result", result);
        o.set("evidence", evidence);
        return o;
    }

    public static FilterResult fromJson(JsonNode o) {
        Json.onlyFields(o, "data.results.", List.of("category", "target", "expected", "result", "evidence"));
        return new FilterResult(Json.requireText(o, "data.results.category", 32),
                Json.requireText(o, "data.results.target", FilterTargets.MAX_TEXT),
                Json.requireText(o, "data.results.expected", 16), Json.requireText(o, "data.results.result", 16),
                Json.requireObject(o, "data.results.evidence"));
    }
}
