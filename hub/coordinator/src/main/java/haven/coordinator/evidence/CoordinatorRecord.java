package haven.coordinator.evidence;


import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An entry of the evidence log that the coordinator makes itself, not a hub (for example an alert's send
 * attempt), stored in the same envelope as a hub's event so the chain, the verifier and the incident's
 * chronology treat both alike. Its type starts with "coordinator." or "notify.", names no hub event
 * type can have (hubs' types are fixed by contract v1), so a hub cannot forge one over MQTT: the decoder
 * refuses unknown types.
 */
public record CoordinatorRecord(String id, String type, RoomId room, Instant at, ObjectNode data) {
    private static final Pattern TYPE = Pattern.compile("(coordinator|notify)\\.[a-z][a-z-]{0,40}");

    public CoordinatorRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(data, "data");
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("type must be coordinator.* or notify.*, got '" + type + "'");
        }
    }

    /** The same fields and order as a hub event's envelope (EventCodec.toJson), seq 0. */
    ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("id", id);
        json.put("seq", 0);
        json.put("type", type);
        json.put("site", room.site());
        json.put("room", room.room());
        json.put("at", Json.time(at));
        json.set("data", data);
        return json;
    }
}
