package haven.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
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

    /** The hand-written time writer and reader give exactly what the formatter and Instant.parse give. */
    @Test
    void theHandWrittenTimeIsTheFormattersTimeByteForByte() {
        DateTimeFormatter reference = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        SplittableRandom random = new SplittableRandom(20);
        List<Instant> edges = List.of(Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999Z"), Instant.parse("2024-02-29T23:59:59.999Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("0001-01-01T00:00:00Z"));
        for (int i = 0; i < 20_000 + edges.size(); i++) {
            Instant at = i < edges.size() ? edges.get(i)
                    : Instant.ofEpochSecond(random.nextLong(-2_000_000_000L, 260_000_000_000L), random.nextInt(1_000_000_000));
            String expected = reference.format(at.truncatedTo(ChronoUnit.MILLIS));
            assertEquals(expected, Json.time(at), () -> "time of " + at);
            assertEquals(Instant.parse(expected), Json.readTime(expected), () -> "reading " + expected);
        }
    }

    /** A time not quite in the stored form is read, or refused, exactly as Instant.parse reads or refuses it. */
    @Test
    void anOddTimeIsReadOrRefusedAsTheParserDoes() {
        for (String odd : List.of("2026-02-30T00:00:00.000Z", "2026-02-29T00:00:00.000Z", "2024-02-29T00:00:00.000Z",
                "2026-13-01T00:00:00.000Z", "2026-12-03T24:00:00.000Z", "2026-12-03T23:59:60.000Z", "2026-12-03T09:60:00.000Z",
                "2026-12-03T09:15:0x.000Z", "2026-12-03 09:15:02.000Z", "2026-12-03T09:15:02Z", "2026-12-03T09:15:02.123456Z",
                "2026-12-03T09:15:02.123+01:00", "")) {
            Instant expected;
            try {
                expected = Instant.parse(odd);
            } catch (DateTimeParseException refused) {
                assertThrows(DateTimeParseException.class, () -> Json.readTime(odd), odd);
                continue;
            }
            assertEquals(expected, Json.readTime(odd), odd);
        }
    }
}
