package haven.coordinator;

import haven.config.ConfigFile;
import java.util.Map;
import java.util.TreeMap;

/**
 * What staff call each classroom ("Year 3 Oak" for the room id {@code year3-oak}), from the {@code rooms:}
 * section of coordinator.yaml. Display only: ids stay the key everywhere; a room without a name shows its id.
 */
public record RoomNames(Map<String, String> byRoom) {
    public static final RoomNames NONE = new RoomNames(Map.of());
    static final int MAX_NAME = 60;

    public RoomNames {
        byRoom = Map.copyOf(byRoom);
    }

    public String of(String room) {
        return byRoom.getOrDefault(room, room);
    }

    static RoomNames from(ConfigFile file) {
        var node = file.node("rooms");
        if (node.isMissingNode() || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw file.error("rooms", "a map of room id to display name, like year3-oak: \"Year 3 Oak\"");
        }
        Map<String, String> out = new TreeMap<>();
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String room = it.next();
            String key = "rooms." + room;
            if (!haven.protocol.Ids.isValid(room)) {
                throw file.error(key, "named by a room id matching [a-z0-9][a-z0-9-]{0,31}");
            }
            String name = file.optionalString(key).orElseThrow(() -> file.error(key, "a display name"));
            if (name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
                throw file.error(key, "a display name of at most " + MAX_NAME + " characters on one line");
            }
            out.put(room, name.strip());
        }
        return new RoomNames(out);
    }
}
