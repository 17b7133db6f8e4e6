package haven.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * The event envelope of contract v1. {@code seq} increases by one per event of a hub, so the
 * coordinator can order a hub's events and notice a gap. {@code data} never holds a pupil's name.
 */
public record Event(String id, long seq, EventType type, RoomId room, Instant at, ObjectNode data) {
    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(data, "data");
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be positive, got " + seq);
        }
    }

    public String topic() {
        return Topics.event(room, type);
    }
}
