package haven.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import haven.coordinator.IncidentView;
import haven.protocol.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live feed's messages as the dashboard's script reads them: kind and seq first, the snapshot's kind only on the socket. */
class LiveMessagesJsonTest {
    private static final IncidentView.Redacted REDACTED = new IncidentView.Redacted(7, "s", "r", "open", "2026-11-25T10:00:00.000Z",
            "2026-0007", true, 1, Map.of("email", 1));
    private static final String REDACTED_JSON = """
            {"id":7,"site":"s","room":"r","status":"open","openedAt":"2026-11-25T10:00:00.000Z","caseNumber":"2026-0007",\
            "redacted":true,"alertFailures":1,"alertFailuresByChannel":{"email":1}}""";

    @Test
    void deltasNameTheirKindAndSequence() {
        assertEquals("{\"kind\":\"hidden\",\"seq\":3}", Json.writeValue(new LiveFeed.Hidden(3)));
        assertEquals("{\"kind\":\"retract\",\"seq\":3,\"id\":7}", Json.writeValue(new LiveFeed.Retract(3, 7)));
        assertEquals("{\"kind\":\"incident\",\"seq\":3,\"incident\":" + REDACTED_JSON + ",\"alertFailures\":1}",
                Json.writeValue(new LiveFeed.IncidentChanged(3, REDACTED, 1)));
        assertEquals("{\"kind\":\"room\",\"seq\":4,\"room\":{\"room\":\"r\"}}",
                Json.writeValue(new LiveFeed.RoomChanged("room", 4, Json.object().put("room", "r"))));
    }

    @Test
    void theSnapshotIsKindedOnlyOnTheSocket() {
        LiveFeed.Snapshot rest = new LiveFeed.Snapshot(List.of(), List.of(Json.object().put("room", "r")), List.of(REDACTED), 1,
                null, 5, null);
        assertEquals("{\"isolations\":[],\"rooms\":[{\"room\":\"r\"}],\"incidents\":[" + REDACTED_JSON
                + "],\"alertFailures\":1,\"aups\":null,\"seq\":5}", Json.writeValue(rest));
        assertEquals("{\"isolations\":[],\"rooms\":[{\"room\":\"r\"}],\"incidents\":[" + REDACTED_JSON
                + "],\"alertFailures\":1,\"aups\":null,\"seq\":6,\"kind\":\"snapshot\"}", Json.writeValue(rest.joined(6)));
    }
}
