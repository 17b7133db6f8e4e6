package haven.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Row(long id, String room, Instant at, String closedBy, List<String> tags) {
    }

    @Test
    void aRecordReadsOnTheWireAsTheTreeItReplaces() {
        Instant at = Instant.parse("2026-12-03T09:15:02.123456789Z");
        String tree = Json.write(Json.object().put("id", 7).put("room", "r12").put("at", Json.time(at))
                .putNull("closedBy").set("tags", Json.array().add("a").add("b")));

        assertEquals(tree, Json.writeValue(new Row(7, "r12", at, null, List.of("a", "b"))));
    }

    @Test
    void aTimeIsUtcWithMillisWhateverItsPrecision() {
        record At(Instant at) {
        }
        assertEquals("{\"at\":\"2026-12-03T09:15:02.000Z\"}", Json.writeValue(new At(Instant.parse("2026-12-03T09:15:02Z"))));
        assertEquals("[{\"at\":\"1970-01-01T00:00:00.000Z\"}]", Json.writeValue(List.of(new At(Instant.EPOCH))));
    }
}
