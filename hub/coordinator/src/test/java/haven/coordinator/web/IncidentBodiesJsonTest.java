package haven.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import haven.coordinator.CaseEvidence;
import haven.coordinator.Cases;
import haven.coordinator.IncidentView;
import haven.protocol.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The incident routes' bodies as the trees they replaced wrote them: the view's fields first, then what the route adds. */
class IncidentBodiesJsonTest {
    private static final IncidentView.Redacted REDACTED = new IncidentView.Redacted(7, "s", "r", "open", "2026-11-25T10:00:00.000Z",
            null, true, 0, Map.of());
    private static final IncidentView.Full FULL = new IncidentView.Full(7, "rep", "s", "r", "open", 1, "c", null,
            "2026-11-25T10:00:00.000Z", null, null, null, null, null, null, null, null, null, "worry", null, null, 0, Map.of(),
            "2026-0007", null, null, null, null, null);
    private static final String FULL_JSON = """
            {"id":7,"reportId":"rep","site":"s","room":"r","status":"open","presses":1,"category":"c","computer":null,\
            "openedAt":"2026-11-25T10:00:00.000Z","ackedAt":null,"ackedBy":null,"closedAt":null,"outcome":null,"notes":null,\
            "url":null,"nature":null,"escalatedAt":null,"openAtEndOfDay":null,"source":"worry","cameForwardAt":null,\
            "cameForwardBy":null,"alertFailures":0,"alertFailuresByChannel":{},"caseNumber":"2026-0007","about":null,\
            "illegal":null,"loggedBy":null,"summary":null,"assignedTo":null""";

    @Test
    void aRedactedDetailHasAnEmptyChronologyAndNoCaseWork() {
        assertEquals("""
                {"id":7,"site":"s","room":"r","status":"open","openedAt":"2026-11-25T10:00:00.000Z","caseNumber":null,\
                "redacted":true,"alertFailures":0,"alertFailuresByChannel":{},"chronology":[]}""",
                Json.writeValue(new IncidentRoutes.Detail(REDACTED, null, List.of())));
    }

    @Test
    void aFullDetailHasTheCaseWorkThenTheChronology() {
        Cases.CaseWork work = new Cases.CaseWork(List.of(new Cases.Note(1, "2026-11-25T10:05:00.000Z", "dsl", "t", null)),
                List.of(new Cases.Action(2, "police", null, "2026-11-26T10:00:00.000Z", "2026-11-25T10:06:00.000Z", "dsl", null,
                        null, null, false)),
                List.of(new CaseEvidence.Attachment(3, "ab", "image/png", 10, "2026-11-25T10:07:00.000Z", "dsl")));
        assertEquals(FULL_JSON + """
                ,"notes":[{"id":1,"at":"2026-11-25T10:05:00.000Z","by":"dsl","text":"t","corrects":null}],\
                "actions":[{"id":2,"kind":"police","reference":null,"due":"2026-11-26T10:00:00.000Z",\
                "createdAt":"2026-11-25T10:06:00.000Z","createdBy":"dsl","doneAt":null,"doneBy":null,"flaggedOverdueAt":null,\
                "overdue":false}],"attachments":[{"id":3,"sha256":"ab","mediaType":"image/png","size":10,\
                "at":"2026-11-25T10:07:00.000Z","by":"dsl"}],"chronology":[{"kind":"x"}]}""",
                Json.writeValue(new IncidentRoutes.Detail(FULL, work, List.of(Json.object().put("kind", "x")))));
    }

    @Test
    void hubNotifiedIsAddedOnlyWhenTheKioskWasToldOrNot() {
        assertEquals(FULL_JSON + ",\"hubNotified\":false}", Json.writeValue(new IncidentRoutes.Changed(FULL, false)));
        assertEquals(FULL_JSON + "}", Json.writeValue(new IncidentRoutes.Changed(FULL, null)));
    }
}
