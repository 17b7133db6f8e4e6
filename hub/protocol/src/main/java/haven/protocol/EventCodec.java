package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Encodes and strictly decodes event envelopes. Decoding checks everything the coordinator relies on:
 * size, JSON, every envelope field, the data of known types, and that site/room/type agree with the topic.
 */
public final class EventCodec {
    /** The contract (docs/asyncapi.yaml): payloads over 16 KiB are rejected. */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024;
    private static final List<String> ENVELOPE_FIELDS = List.of("id", "seq", "type", "site", "room", "at", "data");
    private static final int MAX_COMPUTER = 32;

    public byte[] encode(Event event) {
        return Json.write(toJson(event)).getBytes(StandardCharsets.UTF_8);
    }

    public ObjectNode toJson(Event event) {
        ObjectNode json = Json.object();
        json.put("id", event.id());
        json.put("seq", event.seq());
        json.put("type", event.type().wire());
        json.put("site", event.room().site());
        json.put("room", event.room().room());
        json.put("at", Json.time(event.at()));
        json.set("data", event.data());
        return json;
    }

    /** Decodes a payload received on {@code topic}; throws {@link ContractViolation} naming what is wrong. */
    public Event decode(String topic, byte[] payload) {
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new ContractViolation("payload is " + payload.length + " bytes, over the limit of " + MAX_PAYLOAD_BYTES);
        }
        Topics.Parsed parsed = Topics.parse(topic)
                .orElseThrow(() -> new ContractViolation("topic '" + topic + "' is not part of contract v1"));
        if (!(parsed instanceof Topics.EventTopic eventTopic)) {
            throw new ContractViolation("topic '" + topic + "' is not an event topic");
        }
        Event event = decode(payload);
        if (!event.room().equals(eventTopic.room())) {
            throw new ContractViolation("site/room " + event.room() + " does not match the topic's " + eventTopic.room());
        }
        if (!event.type().wire().equals(eventTopic.type())) {
            throw new ContractViolation("type '" + event.type().wire() + "' does not match the topic's '" + eventTopic.type() + "'");
        }
        return event;
    }

    public Event decode(byte[] payload) {
        JsonNode json = Json.parse(payload);
        if (!json.isObject()) {
            throw new ContractViolation("payload must be a JSON object");
        }
        Json.onlyFields(json, "", ENVELOPE_FIELDS);
        String id = Json.requireText(json, "id", 36);
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new ContractViolation("field 'id' must be a UUID, got '" + id + "'");
        }
        long seq = Json.requirePositiveLong(json, "seq");
        String typeName = Json.requireText(json, "type", 64);
        EventType type = EventType.fromWire(typeName)
                .orElseThrow(() -> new ContractViolation("field 'type' has unknown event type '" + typeName + "'"));
        String site = Json.requireText(json, "site", 32);
        String room = Json.requireText(json, "room", 32);
        if (!Ids.isValid(site) || !Ids.isValid(room)) {
            throw new ContractViolation("fields 'site' and 'room' must match [a-z0-9][a-z0-9-]{0,31}");
        }
        Instant at = Json.parseTime("at", Json.requireText(json, "at", 40));
        ObjectNode data = Json.requireObject(json, "data");
        checkData(type, data);
        return new Event(id, seq, type, new RoomId(site, room), at, data);
    }

    private static void checkData(EventType type, ObjectNode data) {
        switch (type) {
            case WORRY_REPORTED -> {
                Json.onlyFields(data, "data.", List.of("presses", "category", "computer"));
                Json.requirePositiveLong(data, "data.presses");
                checkCategoryAndComputer(data);
            }
            case WORRY_REPEATED -> {
                Json.onlyFields(data, "data.", List.of("report", "presses"));
                Json.requireText(data, "data.report", 36);
                Json.requirePositiveLong(data, "data.presses");
            }
            case WORRY_DETAILED -> {
                Json.onlyFields(data, "data.", List.of("report", "category", "computer"));
                Json.requireText(data, "data.report", 36);
                checkCategoryAndComputer(data);
            }
            case WORRY_FOLLOW_UP -> {
                Json.onlyFields(data, "data.", List.of("report", "codeHash"));
                Json.requireText(data, "data.report", 36);
                if (!Json.requireText(data, "data.codeHash", 64).matches("[0-9a-f]{64}")) {
                    throw new ContractViolation("field 'data.codeHash' must be 64 lowercase hex characters");
                }
            }
            case BUTTON_TESTED -> {
                Json.onlyFields(data, "data.", List.of("armedBy"));
                Json.requireText(data, "data.armedBy", 64);
            }
            case AUP_REVIEWED -> {
                Json.onlyFields(data, "data.", List.of("keyStage", "version", "language"));
                if (!KeyStages.ALL.contains(Json.requireText(data, "data.keyStage", 32))) {
                    throw new ContractViolation("field 'data.keyStage' must be one of " + KeyStages.ALL);
                }
                Json.requireText(data, "data.version", 32);
                if (!Json.requireText(data, "data.language", 8).matches("[a-z]{2,3}")) {
                    throw new ContractViolation("field 'data.language' must be a 2 or 3 letter language code");
                }
            }
            case FILTER_CHECKED -> {
                Json.onlyFields(data, "data.", List.of("check", "by", "results"));
                Json.requireText(data, "data.check", 64);
                Json.requireText(data, "data.by", 64);
                if (!data.path("results").isArray() || data.get("results").size() > FilterTargets.MAX_TARGETS) {
                    throw new ContractViolation("field 'data.results' must be a list of at most " + FilterTargets.MAX_TARGETS);
                }
                data.get("results").forEach(FilterResult::fromJson);
            }
            default -> {
                // Isolation, switch, hub and command events carry evidence fields that vary by backend;
                // the envelope is still checked in full, and the 16 KiB limit bounds them.
            }
        }
    }

    private static void checkCategoryAndComputer(ObjectNode data) {
        if (data.has("category")) {
            String category = Json.requireText(data, "data.category", 32);
            if (Category.fromWire(category).isEmpty()) {
                throw new ContractViolation("field 'data.category' has unknown category '" + category + "'");
            }
        }
        if (data.has("computer")) {
            Json.requireText(data, "data.computer", MAX_COMPUTER);
        }
    }
}
