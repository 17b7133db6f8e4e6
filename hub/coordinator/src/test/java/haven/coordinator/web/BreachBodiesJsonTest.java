package haven.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import haven.coordinator.Breaches;
import haven.protocol.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The data-breach answers as the dashboard's breach page reads them: fields in order, times as Json.time, nulls kept. */
class BreachBodiesJsonTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Breaches.Breach OPEN = new Breaches.Breach(3, "ref-3", Instant.parse("2026-12-01T08:00:00Z"),
            "2026-12-01T08:30:00.000Z", "dsl", "a list left on a printer", "names", "one class", null, null, null, null, null,
            null, null, null, null);
    private static final String OPEN_JSON = """
            {"id":3,"ref":"ref-3","discoveredAt":"2026-12-01T08:00:00.000Z","recordedAt":"2026-12-01T08:30:00.000Z",\
            "recordedBy":"dsl","whatHappened":"a list left on a printer","dataAffected":"names","peopleAffected":"one class",\
            "containment":null,"deadline":"2026-12-04T08:00:00.000Z","deadlineWarnedAt":null,"decision":null,"decidedAt":null,\
            "decidedBy":null,"icoReference":null,"reportedAt":null,"reason":null,"peopleTold":null,"secondsLeft":252000,\
            "overdue":false""";

    @Test
    void aBreachCountsDownFromTheServersClock() {
        assertEquals(OPEN_JSON + "}", Json.writeValue(OPEN.view(NOW)));
        assertEquals("{\"now\":\"2026-12-01T10:00:00.000Z\",\"breaches\":[" + OPEN_JSON + "}]}",
                Json.writeValue(new BreachRoutes.BreachList(NOW, List.of(OPEN.view(NOW)))));
    }

    @Test
    void theDetailAddsTheNotes() {
        assertEquals(OPEN_JSON + ",\"notes\":[{\"id\":1,\"at\":\"2026-12-01T09:00:00.000Z\",\"by\":\"dsl\",\"text\":\"t\"}]}",
                Json.writeValue(new BreachRoutes.BreachDetail(OPEN.view(NOW),
                        List.of(new Breaches.Note(1, "2026-12-01T09:00:00.000Z", "dsl", "t")))));
    }
}
