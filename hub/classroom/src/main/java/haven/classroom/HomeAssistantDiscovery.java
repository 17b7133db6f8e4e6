package haven.classroom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Opt-in Home Assistant MQTT discovery for one classroom hub, in the way zigbee2mqtt does it: retained
 * discovery configs under {@code homeassistant/...}, a retained state topic the entities read with value
 * templates, and availability tied to the hub's own retained status (and so to its Last Will).
 *
 * <p>Three entities: "Worry open" and "Isolation active" (binary sensors) and "AUP version" (sensor). What
 * reaches Home Assistant is deliberately this little: whether something needs an adult, never who pressed,
 * what the worry is about or which computer (docs/SECURITY.md, privacy: no pupil names ever; policy: minimum personal data,
 * access limited). A building-management screen may show "room 12 needs attention"; the incident itself stays
 * on the dashboard behind a staff login.
 *
 * <p>Field names follow Home Assistant's documented MQTT binary_sensor and sensor configuration variables
 * (home-assistant.io/integrations/binary_sensor.mqtt, sensor.mqtt); HomeAssistantDiscoveryTest checks them.
 */
public final class HomeAssistantDiscovery {
    /** Home Assistant's default discovery prefix. */
    public static final String DEFAULT_PREFIX = "homeassistant";
    /** What HubStatus writes in "state"; the availability template compares it with these. */
    static final String ONLINE = "online";
    static final String OFFLINE = "offline";

    private final RoomId room;
    private final String statusTopic;
    private final String prefix;

    /** One MQTT message to publish; discovery and state are always retained so Home Assistant restarts cleanly. */
    public record Message(String topic, byte[] payload, boolean retained) {
        public Message {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** One entity: its Home Assistant platform, the last part of its ids, and how it reads the state topic. */
    private record Entity(String component, String key, String name, String valueTemplate, String deviceClass,
                          String entityCategory, String icon) {
    }

    private static final List<Entity> ENTITIES = List.of(
            // "problem": on means a problem needing attention, the closest documented class to an open worry.
            new Entity("binary_sensor", "worry", "Worry open",
                    "{{ 'ON' if value_json.worryOpen else 'OFF' }}", "problem", null, null),
            // "safety": on means unsafe; a machine is isolated because something unsafe was seen on it.
            new Entity("binary_sensor", "isolation", "Isolation active",
                    "{{ 'ON' if value_json.isolationActive else 'OFF' }}", "safety", null, null),
            new Entity("sensor", "aup", "AUP version",
                    "{{ value_json.aupVersion }}", null, "diagnostic", "mdi:file-document-outline"));

    public HomeAssistantDiscovery(RoomId room, String statusTopic) {
        this(room, statusTopic, DEFAULT_PREFIX);
    }

    public HomeAssistantDiscovery(RoomId room, String statusTopic, String prefix) {
        this.room = Objects.requireNonNull(room, "room");
        this.statusTopic = Objects.requireNonNull(statusTopic, "statusTopic");
        if (prefix == null || prefix.isEmpty() || prefix.contains("+") || prefix.contains("#") || prefix.endsWith("/")
                || prefix.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("homeAssistant.prefix must be a topic prefix without wildcards or a trailing /, got '"
                    + prefix + "'");
        }
        this.prefix = prefix;
    }

    /** {@code haven/v1/{site}/{room}/ha/state}: retained, {"worryOpen","isolationActive","aupVersion"}. */
    public String stateTopic() {
        return Topics.haState(room);
    }

    /** The retained discovery configs, one per entity. Publish after every connect (Home Assistant may have restarted). */
    public List<Message> discoveryMessages() {
        return ENTITIES.stream().map(e -> new Message(configTopic(e), Json.write(config(e)).getBytes(StandardCharsets.UTF_8), true))
                .toList();
    }

    /** Empty retained payloads on the same topics: Home Assistant removes the entities (opting out again). */
    public List<Message> removalMessages() {
        return ENTITIES.stream().map(e -> new Message(configTopic(e), new byte[0], true)).toList();
    }

    /** The retained state the entities read. {@code aupVersion} is the version shown on the kiosk. */
    public Message state(boolean worryOpen, boolean isolationActive, String aupVersion) {
        if (aupVersion == null || aupVersion.isEmpty() || aupVersion.length() > 64) {
            throw new IllegalArgumentException("aupVersion must be 1..64 characters");
        }
        ObjectNode json = Json.object();
        json.put("worryOpen", worryOpen);
        json.put("isolationActive", isolationActive);
        json.put("aupVersion", aupVersion);
        return new Message(stateTopic(), Json.write(json).getBytes(StandardCharsets.UTF_8), true);
    }

    private String objectId(Entity entity) {
        // "_" cannot occur in a site or room id (Ids), so it separates the parts without ambiguity.
        return "haven_" + room.site() + "_" + room.room() + "_" + entity.key();
    }

    private String configTopic(Entity entity) {
        return prefix + "/" + entity.component() + "/" + objectId(entity) + "/config";
    }

    private ObjectNode config(Entity entity) {
        ObjectNode json = Json.object();
        json.put("unique_id", objectId(entity));
        json.put("name", entity.name());
        json.put("state_topic", stateTopic());
        json.put("value_template", entity.valueTemplate());
        if (entity.component().equals("binary_sensor")) {
            json.put("payload_on", "ON");
            json.put("payload_off", "OFF");
        }
        if (entity.deviceClass() != null) {
            json.put("device_class", entity.deviceClass());
        }
        if (entity.entityCategory() != null) {
            json.put("entity_category", entity.entityCategory());
        }
        if (entity.icon() != null) {
            json.put("icon", entity.icon());
        }
        // The status payload is JSON, so availability needs a template; its Last Will form makes the
        // entities unavailable when the hub dies, exactly as the dashboard shows the room offline.
        json.put("availability_topic", statusTopic);
        json.put("availability_template", "{{ value_json.state }}");
        json.put("payload_available", ONLINE);
        json.put("payload_not_available", OFFLINE);
        json.put("qos", 1);
        ObjectNode device = json.putObject("device");
        device.putArray("identifiers").add("haven_" + room.site() + "_" + room.room());
        device.put("name", "Haven " + room.site() + " " + room.room());
        device.put("manufacturer", "Haven");
        device.put("model", "Classroom hub");
        device.put("sw_version", Hub.VERSION);
        return json;
    }
}
