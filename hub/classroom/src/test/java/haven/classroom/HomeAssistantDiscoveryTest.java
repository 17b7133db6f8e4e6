package haven.classroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks the discovery configs against Home Assistant's documented MQTT configuration variables
 * (home-assistant.io/integrations/binary_sensor.mqtt and sensor.mqtt, "Configuration Variables"; the
 * discovery topic format from integrations/mqtt "Discovery topic"), and that nothing about a pupil leaves.
 */
class HomeAssistantDiscoveryTest {
    private static final RoomId ROOM = new RoomId("st-marys", "year-5");
    private static final String STATUS = Topics.status(ROOM);

    /** Keys documented for both MQTT binary_sensor and sensor. */
    private static final Set<String> COMMON_KEYS = Set.of(
            "availability", "availability_mode", "availability_template", "availability_topic", "device",
            "device_class", "enabled_by_default", "encoding", "entity_category", "entity_picture", "expire_after",
            "force_update", "icon", "json_attributes_template", "json_attributes_topic", "name", "object_id",
            "default_entity_id", "payload_available", "payload_not_available", "platform", "qos", "state_topic",
            "unique_id", "value_template");
    private static final Set<String> BINARY_SENSOR_KEYS = union(COMMON_KEYS, Set.of("off_delay", "payload_off", "payload_on"));
    private static final Set<String> SENSOR_KEYS = union(COMMON_KEYS, Set.of(
            "last_reset_value_template", "options", "state_class", "suggested_display_precision", "unit_of_measurement"));
    /** The "device" map's documented keys. */
    private static final Set<String> DEVICE_KEYS = Set.of("configuration_url", "connections", "hw_version", "identifiers",
            "manufacturer", "model", "model_id", "name", "serial_number", "suggested_area", "sw_version", "via_device");
    /** BinarySensorDeviceClass values (developers.home-assistant.io/docs/core/entity/binary-sensor). */
    private static final Set<String> BINARY_SENSOR_DEVICE_CLASSES = Set.of("battery", "battery_charging", "carbon_monoxide",
            "cold", "connectivity", "door", "garage_door", "gas", "heat", "light", "lock", "moisture", "motion", "moving",
            "occupancy", "opening", "plug", "power", "presence", "problem", "running", "safety", "smoke", "sound",
            "tamper", "update", "vibration", "window");
    private static final Set<String> ENTITY_CATEGORIES = Set.of("config", "diagnostic");
    /** {@code <discovery_prefix>/<component>/[<node_id>/]<object_id>/config}; ids are [a-zA-Z0-9_-]. */
    private static final Pattern DISCOVERY_TOPIC =
            Pattern.compile("homeassistant/(binary_sensor|sensor)/(?:[a-zA-Z0-9_-]+/)?([a-zA-Z0-9_-]+)/config");
    private static final Pattern VALUE_JSON_FIELD = Pattern.compile("value_json\\.([A-Za-z_][A-Za-z0-9_]*)");
    /** Words that would mean incident or pupil data leaked into Home Assistant. */
    private static final List<String> NEVER = List.of("category", "computer", "presses", "report", "pupil", "incident", "about-an-adult");

    private final HomeAssistantDiscovery discovery = new HomeAssistantDiscovery(ROOM, STATUS);

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static JsonNode json(HomeAssistantDiscovery.Message message) {
        return Json.parse(message.payload());
    }

    @Test
    void publishesAWorryAnIsolationAndAnAupEntityRetainedUnderTheDiscoveryPrefix() {
        List<HomeAssistantDiscovery.Message> messages = discovery.discoveryMessages();
        assertEquals(List.of(
                "homeassistant/binary_sensor/haven_st-marys_year-5_worry/config",
                "homeassistant/binary_sensor/haven_st-marys_year-5_isolation/config",
                "homeassistant/sensor/haven_st-marys_year-5_aup/config"),
                messages.stream().map(HomeAssistantDiscovery.Message::topic).toList());
        messages.forEach(m -> {
            assertTrue(m.retained(), "discovery must be retained so Home Assistant finds it after a restart: " + m.topic());
            assertTrue(DISCOVERY_TOPIC.matcher(m.topic()).matches(), m.topic());
        });
        assertEquals(List.of("Worry open", "Isolation active", "AUP version"),
                messages.stream().map(m -> json(m).path("name").asText()).toList());
    }

    @Test
    void everyKeyIsADocumentedConfigurationVariableOfItsPlatform() {
        for (HomeAssistantDiscovery.Message message : discovery.discoveryMessages()) {
            Matcher topic = DISCOVERY_TOPIC.matcher(message.topic());
            assertTrue(topic.matches());
            String component = topic.group(1);
            JsonNode config = json(message);
            Set<String> allowed = component.equals("binary_sensor") ? BINARY_SENSOR_KEYS : SENSOR_KEYS;
            for (String key : keys(config)) {
                assertTrue(allowed.contains(key), message.topic() + ": '" + key + "' is not a documented " + component + " key");
            }
            assertTrue(config.path("state_topic").isTextual(), "state_topic is required for " + component);
            assertFalse(config.has("platform"), "platform is only for device-based discovery payloads");
            assertFalse(config.has("availability") && config.has("availability_topic"),
                    "availability and availability_topic must not be used together");
            if (config.has("device_class")) {
                String deviceClass = config.get("device_class").asText();
                assertTrue(component.equals("binary_sensor") && BINARY_SENSOR_DEVICE_CLASSES.contains(deviceClass),
                        message.topic() + ": device_class '" + deviceClass + "' is not valid for " + component);
            }
            if (config.has("entity_category")) {
                assertTrue(ENTITY_CATEGORIES.contains(config.get("entity_category").asText()));
            }
            if (component.equals("binary_sensor")) {
                assertEquals("ON", config.path("payload_on").asText("ON"));
                assertEquals("OFF", config.path("payload_off").asText("OFF"));
            }
            assertTrue(config.path("qos").isInt() && config.get("qos").asInt() >= 0 && config.get("qos").asInt() <= 2);
        }
        JsonNode worry = json(discovery.discoveryMessages().get(0));
        JsonNode isolation = json(discovery.discoveryMessages().get(1));
        assertEquals("problem", worry.path("device_class").asText());
        assertEquals("safety", isolation.path("device_class").asText());
    }

    @Test
    void uniqueIdsAreUniqueAndMatchTheObjectIdOfTheTopic() {
        Set<String> ids = new HashSet<>();
        for (HomeAssistantDiscovery.Message message : discovery.discoveryMessages()) {
            String uniqueId = json(message).path("unique_id").asText();
            assertTrue(ids.add(uniqueId), "unique_id repeated: " + uniqueId);
            Matcher topic = DISCOVERY_TOPIC.matcher(message.topic());
            assertTrue(topic.matches());
            assertEquals(topic.group(2), uniqueId);
        }
        HomeAssistantDiscovery otherRoom = new HomeAssistantDiscovery(new RoomId("st-marys", "year-6"), STATUS);
        otherRoom.discoveryMessages().forEach(m -> assertFalse(ids.contains(json(m).path("unique_id").asText()),
                "two rooms of one site must never share a unique_id"));
    }

    @Test
    void everyEntityBelongsToOneHavenDevicePerRoom() {
        Set<String> identifiers = new HashSet<>();
        for (HomeAssistantDiscovery.Message message : discovery.discoveryMessages()) {
            JsonNode device = json(message).path("device");
            assertTrue(device.isObject(), "device block required so entities group under the room's hub");
            for (String key : keys(device)) {
                assertTrue(DEVICE_KEYS.contains(key), "'" + key + "' is not a documented device key");
            }
            assertTrue(device.path("identifiers").isArray() && device.path("identifiers").size() > 0,
                    "at least one of identifiers or connections must be present");
            device.path("identifiers").forEach(id -> identifiers.add(id.asText()));
            assertEquals("Haven", device.path("manufacturer").asText());
            assertEquals("Classroom hub", device.path("model").asText());
            assertEquals("Haven st-marys year-5", device.path("name").asText());
        }
        assertEquals(Set.of("haven_st-marys_year-5"), identifiers);
    }

    @Test
    void availabilityFollowsTheHubsRetainedStatusAndItsLastWill() {
        byte[] online = new HubStatus(true, Instant.parse("2025-03-04T09:00:00Z"), Hub.VERSION, "ks2", "sample-1", List.of(), null, 0).encode();
        byte[] offline = new HubStatus(false, Instant.parse("2025-03-04T09:00:00Z"), Hub.VERSION, "ks2", "sample-1", List.of(), null, 0).encode();
        for (HomeAssistantDiscovery.Message message : discovery.discoveryMessages()) {
            JsonNode config = json(message);
            assertEquals(STATUS, config.path("availability_topic").asText());
            // Home Assistant renders availability_template against the status payload and compares the result.
            Matcher field = VALUE_JSON_FIELD.matcher(config.path("availability_template").asText());
            assertTrue(field.find(), "availability_template must read the status JSON");
            assertEquals(config.path("payload_available").asText(), Json.parse(online).path(field.group(1)).asText());
            assertEquals(config.path("payload_not_available").asText(), Json.parse(offline).path(field.group(1)).asText());
        }
    }

    @Test
    void valueTemplatesReadOnlyFieldsTheStatePayloadHas() {
        HomeAssistantDiscovery.Message state = discovery.state(true, false, "2025-09");
        Set<String> stateFields = new HashSet<>(keys(json(state)));
        for (HomeAssistantDiscovery.Message message : discovery.discoveryMessages()) {
            JsonNode config = json(message);
            assertEquals(state.topic(), config.path("state_topic").asText());
            Matcher field = VALUE_JSON_FIELD.matcher(config.path("value_template").asText());
            assertTrue(field.find(), message.topic() + " value_template must read the state JSON");
            assertTrue(stateFields.contains(field.group(1)), "state payload has no field " + field.group(1));
        }
    }

    @Test
    void theStateTopicIsRetainedAndCarriesNoPupilOrIncidentData() {
        HomeAssistantDiscovery.Message state = discovery.state(true, true, "sample-1");
        assertEquals("haven/v1/st-marys/year-5/ha/state", state.topic());
        assertTrue(state.retained());
        assertEquals(List.of("worryOpen", "isolationActive", "aupVersion"), keys(json(state)));
        assertEquals("{\"worryOpen\":true,\"isolationActive\":true,\"aupVersion\":\"sample-1\"}", state.text());
        List<HomeAssistantDiscovery.Message> all = new ArrayList<>(discovery.discoveryMessages());
        all.add(state);
        for (HomeAssistantDiscovery.Message message : all) {
            // Home Assistant's own key names (entity_category) are checked by the allowed-keys test; here the
            // values and our own field names must not speak of a pupil or an incident.
            List<String> words = new ArrayList<>();
            collect(json(message), words);
            for (String text : words) {
                for (String word : NEVER) {
                    assertFalse(text.toLowerCase(java.util.Locale.ROOT).contains(word), message.topic() + " mentions '" + word + "'");
                }
            }
            assertTrue(message.payload().length < 16 * 1024);
        }
    }

    private static void collect(JsonNode node, List<String> words) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (!BINARY_SENSOR_KEYS.contains(e.getKey()) && !SENSOR_KEYS.contains(e.getKey())) {
                    words.add(e.getKey());
                }
                collect(e.getValue(), words);
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, words));
        } else {
            words.add(node.asText());
        }
    }

    @Test
    void optingOutRemovesEveryEntityWithAnEmptyRetainedPayload() {
        List<HomeAssistantDiscovery.Message> removals = discovery.removalMessages();
        assertEquals(discovery.discoveryMessages().stream().map(HomeAssistantDiscovery.Message::topic).toList(),
                removals.stream().map(HomeAssistantDiscovery.Message::topic).toList());
        removals.forEach(m -> {
            assertEquals(0, m.payload().length);
            assertTrue(m.retained(), "only a retained empty payload clears the retained config");
        });
    }

    @Test
    void aCustomPrefixIsUsedAndAWildcardPrefixIsRefused() {
        HomeAssistantDiscovery custom = new HomeAssistantDiscovery(ROOM, STATUS, "ha-school");
        assertTrue(custom.discoveryMessages().get(0).topic().startsWith("ha-school/binary_sensor/"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HomeAssistantDiscovery(ROOM, STATUS, "homeassistant/#"));
        assertTrue(e.getMessage().contains("homeAssistant.prefix"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> discovery.state(false, false, ""));
    }
}
