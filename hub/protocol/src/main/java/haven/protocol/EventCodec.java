package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Encodes and strictly decodes event envelopes. Decoding checks everything the coordinator relies on:
 * size, JSON, every envelope field, the data of known types, and that site/room/type agree with the topic.
 */
public final class EventCodec {
    /** The contract (docs/asyncapi.yaml): payloads over 16 KiB are rejected. */
    public static final int MAX_PAYLOAD_BYTES = 16 * 1024;
    private static final List<String> ENVELOPE_FIELDS = List.of("id", "seq", "type", "site", "room", "at", "data");
    private static final int MAX_COMPUTER = 32;
    /** What the hub cuts isolation evidence, handles and reasons to (IsolationFlow). */
    private static final int MAX_EVIDENCE = 2000;

    /**
     * What a pupil's "which computer" may be: the kiosk pad's number (1 to 3 digits) or a machine label of the
     * PC-07 kind (letters, an optional hyphen, digits). Free text is refused: a name typed there would enter the
     * append-only log for good. The hub further accepts only labels of its own inventory (Classroom.detail).
     */
    private static final java.util.regex.Pattern KIOSK_COMPUTER = java.util.regex.Pattern.compile("([A-Za-z]{1,12}-?)?[0-9]{1,3}");

    public static boolean isKioskComputer(String computer) {
        return computer != null && KIOSK_COMPUTER.matcher(computer).matches();
    }

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
            throw new ContractViolation("topic is not an event topic");
        }
        Event event = decode(payload);
        if (!event.room().equals(eventTopic.room())) {
            throw new ContractViolation("field 'site' or 'room' does not match the topic");
        }
        if (!event.type().wire().equals(eventTopic.type())) {
            throw new ContractViolation("field 'type' does not match the topic");
        }
        return event;
    }

    public Event decode(byte[] payload) {
        return decode(payload, true);
    }

    /**
     * An event already in the coordinator's log, read back (rebuilding projections): it was valid under the
     * contract of its day, which was looser before the hostile-hub rules (ids, strict data, the computer), so
     * only the envelope is checked. Never for anything arriving from a hub.
     */
    public Event decodeLogged(byte[] payload) {
        return decode(payload, false);
    }

    private Event decode(byte[] payload, boolean strict) {
        JsonNode json = Json.parse(payload);
        if (!json.isObject()) {
            throw new ContractViolation("payload must be a JSON object");
        }
        Json.onlyFields(json, "", ENVELOPE_FIELDS);
        String id = strict ? requireUuid7(json, "id") : Json.requireText(json, "id", 36);
        long seq = Json.requirePositiveLong(json, "seq");
        String typeName = Json.requireText(json, "type", 64);
        EventType type = EventType.fromWire(typeName)
                .orElseThrow(() -> new ContractViolation("field 'type' names an unknown event type"));
        String site = Json.requireText(json, "site", 32);
        String room = Json.requireText(json, "room", 32);
        if (!Ids.isValid(site) || !Ids.isValid(room)) {
            throw new ContractViolation("fields 'site' and 'room' must match [a-z0-9][a-z0-9-]{0,31}");
        }
        Instant at = Json.parseTime("at", Json.requireText(json, "at", 40));
        ObjectNode data = Json.requireObject(json, "data");
        if (strict) {
            checkData(type, data);
        }
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
                requireUuid7(data, "data.report");
                Json.requirePositiveLong(data, "data.presses");
            }
            case WORRY_DETAILED -> {
                Json.onlyFields(data, "data.", List.of("report", "category", "computer"));
                requireUuid7(data, "data.report");
                checkCategoryAndComputer(data);
            }
            case WORRY_FOLLOW_UP -> {
                Json.onlyFields(data, "data.", List.of("report", "codeHash"));
                requireUuid7(data, "data.report");
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
            case ISOLATION_REQUESTED -> {
                Json.onlyFields(data, "data.", List.of("machine", "mac", "ip", "backend", "trigger"));
                checkTarget(data, false);
                optionalText(data, "data.trigger", 16);
            }
            case ISOLATION_APPLIED -> {
                Json.onlyFields(data, "data.", List.of("machine", "mac", "ip", "backend", "handle", "verified", "evidence"));
                checkTarget(data, true);
                optionalText(data, "data.handle", MAX_EVIDENCE);
                optionalText(data, "data.evidence", MAX_EVIDENCE);
                if (!data.path("verified").isBoolean()) {
                    throw new ContractViolation("field 'data.verified' must be true or false");
                }
            }
            case ISOLATION_FAILED -> {
                Json.onlyFields(data, "data.", List.of("machine", "mac", "ip", "backend", "reason"));
                checkTarget(data, true);
                optionalText(data, "data.reason", MAX_EVIDENCE);
            }
            case ISOLATION_RELEASED -> {
                Json.onlyFields(data, "data.", List.of("machine", "mac", "ip", "backend"));
                checkTarget(data, true);
            }
            case SWITCH_CHANGED -> {
                Json.onlyFields(data, "data.", List.of("on"));
                if (!data.path("on").isBoolean()) {
                    throw new ContractViolation("field 'data.on' must be true or false");
                }
            }
            case HUB_STARTED -> {
                Json.onlyFields(data, "data.", List.of("version", "gpio"));
                Json.requireText(data, "data.version", 32);
                Json.requireText(data, "data.gpio", 16);
            }
            case CMD_APPLIED -> {
                Json.onlyFields(data, "data.", List.of("command", "name"));
                Json.requireText(data, "data.command", 64);
                Json.requireText(data, "data.name", 32);
            }
            default -> throw new ContractViolation("field 'type' has no data rule in the codec");
        }
    }

    /**
     * Every field is bounded, and no event type takes fields the contract does not name: an extra field (a pupil's
     * name) would otherwise enter the append-only log for good.
     */
    private static void checkTarget(ObjectNode data, boolean backendRequired) {
        Json.requireText(data, "data.machine", MAX_COMPUTER);
        if (!Json.requireText(data, "data.mac", 17).matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new ContractViolation("field 'data.mac' must be a lowercase colon-separated MAC address");
        }
        if (!Json.requireText(data, "data.ip", 45).matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*")) {
            throw new ContractViolation("field 'data.ip' must be an IPv4 or IPv6 address");
        }
        if (backendRequired || data.has("backend")) {
            Json.requireText(data, "data.backend", 32);
        }
    }

    private static void optionalText(ObjectNode data, String field, int max) {
        String leaf = field.substring(field.lastIndexOf('.') + 1);
        if (data.has(leaf) && (!data.get(leaf).isTextual() || data.get(leaf).asText().length() > max)) {
            throw new ContractViolation("field '" + field + "' must be text of at most " + max + " characters");
        }
    }

    private static String requireUuid7(com.fasterxml.jackson.databind.JsonNode json, String field) {
        String id = Json.requireText(json, field, 36);
        if (!UuidV7.isCanonical(id)) {
            throw new ContractViolation("field '" + field + "' must be a lowercase RFC 9562 UUIDv7");
        }
        return id;
    }

    private static void checkCategoryAndComputer(ObjectNode data) {
        if (data.has("category")) {
            String category = Json.requireText(data, "data.category", 32);
            if (Category.fromWire(category).isEmpty()) {
                throw new ContractViolation("field 'data.category' names an unknown category");
            }
        }
        if (data.has("computer") && !isKioskComputer(Json.requireText(data, "data.computer", MAX_COMPUTER))) {
            throw new ContractViolation("field 'data.computer' is not a machine number or label");
        }
    }
}
