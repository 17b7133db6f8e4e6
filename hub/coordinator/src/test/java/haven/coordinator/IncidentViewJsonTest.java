package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import haven.protocol.Json;
import haven.protocol.RoomId;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The exact JSON of an incident as each role sees it: the dashboard, the live feed and exports read these
 * field names, this order and these nulls, so a change to how the view is built must not change a byte.
 */
class IncidentViewJsonTest {
    private static final RoomId ROOM = new RoomId("test-school", "year5");

    private static Incident worry() {
        return new Incident(7, "0193c0de-0000-7000-8000-000000000001", ROOM, IncidentStatus.CLOSED, 2, "unkind-online", "pc-3",
                Instant.parse("2026-11-25T10:00:00.000Z"), Instant.parse("2026-11-25T10:01:00.000Z"), "dsl",
                Instant.parse("2026-11-25T11:00:00.000Z"), CloseOutcome.REFERRED_TO_DSL,
                "spoke to them", "https://example.org/x", "a described image", null, null, IncidentSource.WORRY, 2,
                "{\"email\":1,\"webhook:office\":1}", null, null, null, null, "dsl", "2026-0007", null, null);
    }

    private static Incident concern() {
        return new Incident(8, "0193c0de-0000-7000-8000-000000000002", ROOM, IncidentStatus.OPEN, 0, "other", null,
                Instant.parse("2026-11-25T10:00:00.000Z"), null, null, null, null, null, null, null, null, null, IncidentSource.CONCERN, 0,
                null, ConcernAbout.STAFF, IllegalContent.SUSPECTED_CSAM, "teacher-a", "a summary", null, "2026-0008", null, null);
    }

    private static StaffSession as(Role role) {
        return new StaffSession("t", role.wire(), role, "c", Instant.MAX, Set.of(ROOM));
    }

    @Test
    void theFullViewHasEveryFieldInOrderWithItsNulls() {
        assertEquals("""
                {"id":7,"reportId":"0193c0de-0000-7000-8000-000000000001","site":"test-school","room":"year5","status":"closed",\
                "presses":2,"category":"unkind-online","computer":"pc-3","openedAt":"2026-11-25T10:00:00.000Z",\
                "ackedAt":"2026-11-25T10:01:00.000Z","ackedBy":"dsl","closedAt":"2026-11-25T11:00:00.000Z",\
                "outcome":"referred-to-dsl","notes":"spoke to them","url":"https://example.org/x","nature":"a described image",\
                "escalatedAt":null,"openAtEndOfDay":null,"source":"worry","cameForwardAt":null,"cameForwardBy":null,\
                "alertFailures":2,"alertFailuresByChannel":{"email":1,"webhook:office":1},"caseNumber":"2026-0007",\
                "about":null,"illegal":null,"loggedBy":null,"summary":null,"assignedTo":"dsl"}""",
                Json.writeValue(worry().viewFor(as(Role.COORDINATOR)).orElseThrow()));
        assertEquals("""
                {"id":8,"reportId":"0193c0de-0000-7000-8000-000000000002","site":"test-school","room":"year5","status":"open",\
                "presses":0,"category":"other","computer":null,"openedAt":"2026-11-25T10:00:00.000Z","ackedAt":null,\
                "ackedBy":null,"closedAt":null,"outcome":null,"notes":null,"url":null,"nature":null,"escalatedAt":null,\
                "openAtEndOfDay":null,"source":"concern","cameForwardAt":null,"cameForwardBy":null,"alertFailures":0,\
                "alertFailuresByChannel":{},"caseNumber":"2026-0008","about":"staff","illegal":"suspected-csam",\
                "loggedBy":"teacher-a","summary":"a summary","assignedTo":null}""",
                Json.writeValue(concern().viewFor(as(Role.HEAD)).orElseThrow()));
        assertEquals(Json.writeValue(worry().viewFor(as(Role.COORDINATOR)).orElseThrow()), Json.write(worry().toJson()));
    }

    @Test
    void aTechnicianSeesThatARoomHasAWorryAndWhetherItsAlertsGotThrough() {
        assertEquals("""
                {"id":7,"site":"test-school","room":"year5","status":"closed","openedAt":"2026-11-25T10:00:00.000Z",\
                "caseNumber":"2026-0007","redacted":true,"alertFailures":2,"alertFailuresByChannel":{"email":1,"webhook:office":1}}""",
                Json.writeValue(worry().viewFor(as(Role.TECHNICIAN)).orElseThrow()));
        assertEquals(java.util.Optional.empty(), concern().viewFor(as(Role.COORDINATOR)));
    }
}
