package haven.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    private final EventCodec codec = new EventCodec();
    private final RoomId room = new RoomId("school", "year5");

    private Event worry() {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        return new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), 7, EventType.WORRY_REPORTED, room,
                Instant.parse("2026-11-25T09:15:00Z"), data);
    }

    @Test
    void encodesTheEnvelopeWithMillisecondUtcTime() {
        JsonNode json = Json.parse(codec.encode(worry()));
        assertEquals(7, json.get("seq").asLong());
        assertEquals("worry.reported", json.get("type").asText());
        assertEquals("school", json.get("site").asText());
        assertEquals("year5", json.get("room").asText());
        assertEquals("2026-11-25T09:15:00.000Z", json.get("at").asText());
        assertEquals(1, json.get("data").get("presses").asInt());
    }

    @Test
    void decodesWhatItEncodes() {
        Event event = worry();
        Event back = codec.decode(event.topic(), codec.encode(event));
        assertEquals(event.id(), back.id());
        assertEquals(event.seq(), back.seq());
        assertEquals(event.at(), back.at());
        assertEquals(event.data(), back.data());
    }

    private String reasonFor(String topic, String payload) {
        return assertThrows(ContractViolation.class,
                () -> codec.decode(topic, payload.getBytes(StandardCharsets.UTF_8))).getMessage();
    }

    private String valid() {
        return new String(codec.encode(worry()), StandardCharsets.UTF_8);
    }

    @Test
    void rejectionsNameWhatIsWrong() {
        String topic = Topics.event(room, EventType.WORRY_REPORTED);
        assertTrue(reasonFor(topic, "not json").startsWith("payload is not JSON"));
        assertTrue(reasonFor(topic, "[1,2]").contains("JSON object"));
        assertTrue(reasonFor(topic, valid().replace("\"seq\":7", "\"seq\":-1")).contains("'seq'"));
        assertTrue(reasonFor(topic, valid().replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"nope\"")).contains("'id'"));
        assertTrue(reasonFor(topic, valid().replace("\"presses\":1", "\"presses\":1,\"name\":\"Ann\"")).contains("data.name"),
                "fields outside the contract (e.g. a pupil's name) are refused");
        assertTrue(reasonFor(topic, valid().replace("\"room\":\"year5\"", "\"room\":\"year6\"")).contains("does not match the topic"));
        assertTrue(reasonFor(Topics.event(room, EventType.HUB_STARTED), valid()).contains("does not match the topic"));
        assertTrue(reasonFor("haven/v1/school/year5/event/made.up", valid().replace("worry.reported", "made.up"))
                .contains("unknown event type"));
        assertTrue(reasonFor("somewhere/else", valid()).contains("not part of contract v1"));
        assertTrue(reasonFor(topic, valid().replace("\"presses\":1", "\"presses\":1,\"category\":\"gossip\"")).contains("unknown category"));
    }

    @Test
    void oversizedPayloadsAreRejectedBeforeParsing() {
        byte[] big = new byte[EventCodec.MAX_PAYLOAD_BYTES + 1];
        var e = assertThrows(ContractViolation.class, () -> codec.decode(Topics.event(room, EventType.WORRY_REPORTED), big));
        assertTrue(e.getMessage().contains("over the limit"));
    }

    @Test
    void uuidV7IsTimeOrderedAndVersioned() {
        UuidV7 ids = new UuidV7(java.time.Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC));
        UUID id = ids.next();
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), id.getMostSignificantBits() >>> 16);
    }
}
