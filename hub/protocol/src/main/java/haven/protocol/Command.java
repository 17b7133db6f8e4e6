package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * A command to a hub: {"id","at","by":{"role","name"},...}. {@code by.name} is a member of staff's
 * account name, never a pupil's. {@code args} holds the command's own fields (e.g. "report" for ack).
 */
public record Command(String id, Instant at, CommandName name, String byRole, String byName, ObjectNode args) {
    /** The most events one {@code cmd/resend} may ask for, so a confused coordinator cannot make a hub flood the broker. */
    public static final int MAX_RESEND = 1000;


    public byte[] encode() {
        ObjectNode json = Json.object();
        json.put("id", id);
        json.put("at", Json.time(at));
        ObjectNode by = json.putObject("by");
        by.put("role", byRole);
        by.put("name", byName);
        args.fields().forEachRemaining(e -> json.set(e.getKey(), e.getValue()));
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }

    public static Command decode(String topic, byte[] payload) {
        if (payload.length > EventCodec.MAX_PAYLOAD_BYTES) {
            throw new ContractViolation("command payload is over the limit of " + EventCodec.MAX_PAYLOAD_BYTES + " bytes");
        }
        Topics.Parsed parsed = Topics.parse(topic)
                .orElseThrow(() -> new ContractViolation("topic '" + topic + "' is not part of contract v1"));
        if (!(parsed instanceof Topics.CommandTopic commandTopic)) {
            throw new ContractViolation("topic '" + topic + "' is not a command topic");
        }
        CommandName name = CommandName.fromWire(commandTopic.name())
                .orElseThrow(() -> new ContractViolation("unknown command '" + commandTopic.name() + "'"));
        JsonNode json = Json.parse(payload);
        String id = Json.requireText(json, "id", 64);
        Instant at = Json.parseTime("at", Json.requireText(json, "at", 40));
        ObjectNode by = Json.requireObject(json, "by");
        String role = Json.requireText(by, "by.role", 32);
        String who = Json.requireText(by, "by.name", 64);
        ObjectNode args = Json.object();
        json.fields().forEachRemaining(e -> {
            if (!List.of("id", "at", "by").contains(e.getKey())) {
                args.set(e.getKey(), e.getValue());
            }
        });
        return new Command(id, at, name, role, who, args);
    }
}
