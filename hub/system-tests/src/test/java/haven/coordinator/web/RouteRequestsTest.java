package haven.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Breaches;
import haven.coordinator.CloseOutcome;
import haven.coordinator.ConcernAbout;
import haven.coordinator.IllegalContent;
import haven.coordinator.Role;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The request bodies of the breach, concern, filter-check, push, test-mode, staff and unblock routes: what a good
 * body becomes, and that a bad one is refused naming its field and without the value that was sent.
 */
class RouteRequestsTest {
    /** A value no message may repeat: it stands for whatever a member of staff typed. */
    private static final String SECRET = "Pupil-Zed-Quux";
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static JsonNode body(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(Function<JsonNode, ?> parse, String json, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse.apply(body(json)), json);
        String m = e.getMessage();
        assertTrue(m.startsWith(field) || m.startsWith("field '" + field + "'"), "'" + m + "' should name " + field);
        assertFalse(m.contains(SECRET), "'" + m + "' echoes the value sent");
    }

    @Test
    void aSuspectedBreachNeedsItsFourFieldsAndADiscoveryNotInTheFuture() {
        String good = "\"whatHappened\":\"a list emailed to the wrong parent\",\"dataAffected\":\"names\",\"peopleAffected\":\"30\"";
        BreachRoutes.SuspectedRequest s = BreachRoutes.SuspectedRequest.from(
                body("{\"discoveredAt\":\"2026-12-01T09:00:00+01:00\"," + good + ",\"containment\":\" recalled \"}"));
        assertEquals(new BreachRoutes.SuspectedRequest(Instant.parse("2026-12-01T08:00:00Z"), "a list emailed to the wrong parent", "names",
                "30", Optional.of("recalled")), s);
        assertEquals(new Breaches.Suspected(Instant.parse("2026-12-01T08:00:00Z"), "a list emailed to the wrong parent", "names", "30",
                "recalled"), s.suspected(NOW));
        assertEquals(Optional.empty(), BreachRoutes.SuspectedRequest.from(body("{\"discoveredAt\":\"2026-12-01T09:00:00Z\"," + good + "}"))
                .containment());
        refused(BreachRoutes.SuspectedRequest::from, "{" + good + "}", "discoveredAt");
        refused(BreachRoutes.SuspectedRequest::from, "{\"discoveredAt\":\"" + SECRET + "\"," + good + "}", "discoveredAt");
        refused(BreachRoutes.SuspectedRequest::from,
                "{\"discoveredAt\":\"2026-12-01T09:00:00Z\",\"dataAffected\":\"names\",\"peopleAffected\":\"30\"}", "whatHappened");
        refused(BreachRoutes.SuspectedRequest::from, "{\"discoveredAt\":\"2026-12-01T09:00:00Z\"," + good + ",\"peopleAffected\":\"  \"}",
                "peopleAffected");
        refused(BreachRoutes.SuspectedRequest::from, "{\"discoveredAt\":\"2026-12-01T09:00:00Z\"," + good + ",\"containment\":\""
                + SECRET.repeat(BreachRoutes.MAX_WHAT) + "\"}", "containment");
        refused(b -> BreachRoutes.SuspectedRequest.from(b).suspected(NOW), "{\"discoveredAt\":\"2026-12-01T12:06:00Z\"," + good + "}",
                "discoveredAt");
        assertEquals(Instant.parse("2026-12-01T12:04:00Z"), BreachRoutes.SuspectedRequest.from(
                body("{\"discoveredAt\":\"2026-12-01T12:04:00Z\"," + good + "}")).suspected(NOW).discoveredAt(), "within the clock skew");
    }

    @Test
    void aBreachNoteIsItsText() {
        assertEquals("the parent deleted it", BreachRoutes.NoteRequest.from(body("{\"text\":\" the parent deleted it\"}")).text());
        refused(BreachRoutes.NoteRequest::from, "{}", "text");
        refused(BreachRoutes.NoteRequest::from, "{\"text\":\"" + SECRET.repeat(BreachRoutes.MAX_NOTE) + "\"}", "text");
    }

    @Test
    void aBreachDecisionIsReportedWithItsReferenceAndTimeOrNotReportedWithWhy() {
        Breaches.Breach breach = new Breaches.Breach(1, "B-1", Instant.parse("2026-12-01T08:00:00Z"), "2026-12-01T08:10:00Z", "dsl",
                "w", "d", "p", null, null, null, null, null, null, null, null, null);
        BreachRoutes.DecisionRequest reported = BreachRoutes.DecisionRequest.from(body(
                "{\"decision\":\"reported\",\"peopleTold\":true,\"icoReference\":\"ICO-123\",\"reportedAt\":\"2026-12-01T10:00:00Z\"}"));
        assertEquals(new BreachRoutes.DecisionRequest(Breaches.Verdict.REPORTED_TO_ICO, Optional.of("ICO-123"),
                Optional.of(Instant.parse("2026-12-01T10:00:00Z")), Optional.empty(), true), reported);
        assertEquals(new Breaches.Decision("reported", "ICO-123", Instant.parse("2026-12-01T10:00:00Z"), null, true),
                reported.decision(breach, NOW));
        BreachRoutes.DecisionRequest not = BreachRoutes.DecisionRequest.from(body(
                "{\"decision\":\"not-reported\",\"peopleTold\":false,\"reason\":\"no risk\",\"icoReference\":\"ignored\"}"));
        assertEquals(new BreachRoutes.DecisionRequest(Breaches.Verdict.NOT_REPORTED_TO_ICO, Optional.empty(), Optional.empty(),
                Optional.of("no risk"), false), not);
        assertEquals(new Breaches.Decision("not-reported", null, null, "no risk", false), not.decision(breach, NOW));

        refused(BreachRoutes.DecisionRequest::from, "{\"decision\":\"" + SECRET + "\",\"peopleTold\":true}", "decision");
        refused(BreachRoutes.DecisionRequest::from, "{\"decision\":\"not-reported\",\"reason\":\"r\"}", "peopleTold");
        refused(BreachRoutes.DecisionRequest::from, "{\"decision\":\"not-reported\",\"peopleTold\":\"yes\",\"reason\":\"r\"}", "peopleTold");
        refused(BreachRoutes.DecisionRequest::from, "{\"decision\":\"not-reported\",\"peopleTold\":true}", "reason");
        refused(BreachRoutes.DecisionRequest::from, "{\"decision\":\"reported\",\"peopleTold\":true,\"reportedAt\":\"2026-12-01T10:00:00Z\"}",
                "icoReference");
        refused(BreachRoutes.DecisionRequest::from, "{\"decision\":\"reported\",\"peopleTold\":true,\"icoReference\":\"I\"}", "reportedAt");
        refused(BreachRoutes.DecisionRequest::from, "{\"decision\":\"reported\",\"peopleTold\":true,\"icoReference\":\"I\","
                + "\"reportedAt\":\"" + SECRET + "\"}", "reportedAt");
        String reportedAt = "{\"decision\":\"reported\",\"peopleTold\":true,\"icoReference\":\"I\",\"reportedAt\":\"%s\"}";
        refused(b -> BreachRoutes.DecisionRequest.from(b).decision(breach, NOW), reportedAt.formatted("2026-12-01T13:00:00Z"), "reportedAt");
        refused(b -> BreachRoutes.DecisionRequest.from(b).decision(breach, NOW), reportedAt.formatted("2026-12-01T07:59:00Z"), "reportedAt");
    }

    @Test
    void aClosingIsOneOfTheFormsOutcomesWithANote() {
        IncidentRoutes.CloseRequest close = IncidentRoutes.CloseRequest.from(body("{\"outcome\":\"referred-to-dsl\",\"notes\":\" n \"}"));
        assertEquals(new IncidentRoutes.CloseRequest(CloseOutcome.REFERRED_TO_DSL, "n", null, null), close);
        refused(IncidentRoutes.CloseRequest::from, "{\"outcome\":\"" + SECRET + "\",\"notes\":\"n\"}", "outcome");
        // A filter check's recorded action closes it from the check log, never from the close form.
        refused(IncidentRoutes.CloseRequest::from, "{\"outcome\":\"filter-action-recorded\",\"notes\":\"n\"}", "outcome");
        refused(IncidentRoutes.CloseRequest::from, "{\"outcome\":\"no-further-action\"}", "notes");
    }

    @Test
    void aConcernIsAboutSomeoneSomewhereWithACategoryAndASummary() {
        ConcernRoutes.ConcernRequest c = ConcernRoutes.ConcernRequest.from(body("""
                {"about":"staff","illegal":"suspected-csam","category":"unkind-online","summary":" s ","room":"main/room-1",
                 "url":"https://example.org/x","nature":"a described image"}"""));
        assertEquals(new ConcernRoutes.ConcernRequest(new RoomId("main", "room-1"), "unkind-online", "s",
                Optional.of("https://example.org/x"), Optional.of("a described image"), ConcernAbout.STAFF, IllegalContent.SUSPECTED_CSAM), c);
        ConcernRoutes.ConcernRequest least = ConcernRoutes.ConcernRequest.from(
                body("{\"about\":\"pupil\",\"category\":\"other\",\"summary\":\"s\"}"));
        assertEquals(new ConcernRoutes.ConcernRequest(new RoomId(StaffDecisions.SCHOOL.site(), "elsewhere-in-school"), "other", "s",
                Optional.empty(), Optional.empty(), ConcernAbout.PUPIL, IllegalContent.NONE), least);
        assertEquals(null, least.concern().url());
        assertEquals("outside-school", ConcernRoutes.ConcernRequest.from(
                body("{\"about\":\"pupil\",\"category\":\"other\",\"summary\":\"s\",\"room\":\"outside-school\"}")).room().room());

        String good = "\"category\":\"other\",\"summary\":\"s\"";
        refused(ConcernRoutes.ConcernRequest::from, "{" + good + "}", "about");
        refused(ConcernRoutes.ConcernRequest::from, "{\"about\":\"" + SECRET + "\"," + good + "}", "about");
        refused(ConcernRoutes.ConcernRequest::from, "{\"about\":\"pupil\",\"illegal\":\"" + SECRET + "\"," + good + "}", "illegal");
        refused(ConcernRoutes.ConcernRequest::from, "{\"about\":\"pupil\",\"summary\":\"s\"}", "category");
        refused(ConcernRoutes.ConcernRequest::from, "{\"about\":\"pupil\",\"category\":\"" + SECRET + "\",\"summary\":\"s\"}", "category");
        refused(ConcernRoutes.ConcernRequest::from, "{\"about\":\"pupil\",\"category\":\"other\"}", "summary");
        refused(ConcernRoutes.ConcernRequest::from, "{\"about\":\"pupil\"," + good + ",\"room\":\"" + SECRET + "\"}", "room");
        refused(ConcernRoutes.ConcernRequest::from, "{\"about\":\"pupil\"," + good + ",\"url\":\"javascript:" + SECRET + "\"}", "url");
    }

    @Test
    void aFilterCheckActionIsOneBoundedText() {
        assertEquals("unblocked the proxy rule", FilterCheckRoutes.ActionRequest.from(body("{\"action\":\"unblocked the proxy rule\"}"))
                .action());
        refused(FilterCheckRoutes.ActionRequest::from, "{}", "action");
        refused(FilterCheckRoutes.ActionRequest::from, "{\"action\":\"   \"}", "action");
        refused(FilterCheckRoutes.ActionRequest::from, "[\"action\"]", "action");
        refused(FilterCheckRoutes.ActionRequest::from, "{\"action\":\"" + SECRET.repeat(200) + "\"}", "action");
    }

    @Test
    void aPushSubscriptionIsItsEndpointAndItsTwoKeys() {
        assertEquals(new PushRoutes.SubscriptionRequest("https://push.example/abc", "BPk", "au"), PushRoutes.SubscriptionRequest.from(
                body("{\"endpoint\":\"https://push.example/abc\",\"keys\":{\"p256dh\":\"BPk\",\"auth\":\"au\"}}")));
        // Missing parts reach PushSubscriptions.subscribe as empty text, which refuses them naming the field.
        assertEquals(new PushRoutes.SubscriptionRequest("", "", ""), PushRoutes.SubscriptionRequest.from(body("{\"keys\":7}")));
    }

    @Test
    void testModeIsOneToSixtyMinutesTenWhenNotSaid() {
        assertEquals(new RoomChecksRoutes.TestModeRequest(15), RoomChecksRoutes.TestModeRequest.from(body("{\"minutes\":15}")));
        assertEquals(RoomChecksRoutes.DEFAULT_MINUTES, RoomChecksRoutes.TestModeRequest.from(body("{}")).minutes());
        refused(RoomChecksRoutes.TestModeRequest::from, "{\"minutes\":0}", "minutes");
        refused(RoomChecksRoutes.TestModeRequest::from, "{\"minutes\":61}", "minutes");
    }

    @Test
    void staffRequestsNameAnAccountAndAKnownRoleAndRooms() {
        StaffRoutes.AddRequest add = StaffRoutes.AddRequest.from(body(
                "{\"name\":\" ms-jones \",\"role\":\"teacher\",\"rooms\":[\"main/room-1\",\"main/room-2\"],\"password\":\"p w\"}"));
        assertEquals("ms-jones", add.name());
        assertEquals(Role.TEACHER, add.role());
        assertEquals(Set.of(new RoomId("main", "room-1"), new RoomId("main", "room-2")), add.rooms());
        assertArrayEquals("p w".toCharArray(), add.password());
        assertFalse(add.toString().contains("p w"), "a request's toString must not show the password");
        assertEquals(Set.of(), StaffRoutes.AddRequest.from(body("{\"name\":\"n\",\"role\":\"head\",\"password\":\"p\"}")).rooms());

        refused(StaffRoutes.AddRequest::from, "{\"role\":\"teacher\",\"password\":\"p\"}", "name");
        refused(StaffRoutes.AddRequest::from, "{\"name\":\"" + SECRET.repeat(10) + "\",\"role\":\"teacher\",\"password\":\"p\"}", "name");
        refused(StaffRoutes.AddRequest::from, "{\"name\":\"n\",\"role\":\"" + SECRET + "\",\"password\":\"p\"}", "role");
        refused(StaffRoutes.AddRequest::from, "{\"name\":\"n\",\"role\":\"teacher\",\"rooms\":\"main/room-1\",\"password\":\"p\"}", "rooms");
        refused(StaffRoutes.AddRequest::from, "{\"name\":\"n\",\"role\":\"teacher\",\"rooms\":[\"" + SECRET + "\"],\"password\":\"p\"}",
                "rooms");
        refused(StaffRoutes.AddRequest::from, "{\"name\":\"n\",\"role\":\"teacher\"}", "password");
        refused(StaffRoutes.AddRequest::from, "{\"name\":\"n\",\"role\":\"teacher\",\"password\":\""
                + SECRET.repeat(RequestLimits.MAX_PASSWORD) + "\"}", "password");

        assertEquals(new StaffRoutes.RoleRequest("n", Role.SENIOR), StaffRoutes.RoleRequest.from(body("{\"name\":\"n\",\"role\":\"senior\"}")));
        refused(StaffRoutes.RoleRequest::from, "{\"role\":\"senior\"}", "name");
        refused(StaffRoutes.RoleRequest::from, "{\"name\":\"n\"}", "role");
        assertEquals(new StaffRoutes.RoomsRequest("n", Set.of(new RoomId("main", "lab"))),
                StaffRoutes.RoomsRequest.from(body("{\"name\":\"n\",\"rooms\":[\"main/lab\"]}")));
        refused(StaffRoutes.RoomsRequest::from, "{\"name\":\"n\",\"rooms\":[\"a/b/c\"]}", "rooms");
        refused(StaffRoutes.RoomsRequest::from, "{\"name\":\"n\",\"rooms\":[" + "\"main/lab\",".repeat(200) + "\"main/lab\"]}", "rooms");
        assertEquals("n", StaffRoutes.DisableRequest.from(body("{\"name\":\"n\"}")).name());
        refused(StaffRoutes.DisableRequest::from, "{\"name\":\"\"}", "name");
    }

    @Test
    void anUnblockDecisionIsApproveOrRefuseWithAReason() {
        UnblockRoutes.DecisionRequest approve = UnblockRoutes.DecisionRequest.from(body("{\"decision\":\"approve\",\"reason\":\"lesson\"}"));
        assertEquals(new UnblockRoutes.DecisionRequest(UnblockRoutes.Verdict.APPROVE, "lesson"), approve);
        assertTrue(approve.approve());
        assertFalse(UnblockRoutes.DecisionRequest.from(body("{\"decision\":\"refuse\",\"reason\":\"no\"}")).approve());
        refused(UnblockRoutes.DecisionRequest::from, "{\"reason\":\"r\"}", "decision");
        refused(UnblockRoutes.DecisionRequest::from, "{\"decision\":\"" + SECRET + "\",\"reason\":\"r\"}", "decision");
        refused(UnblockRoutes.DecisionRequest::from, "{\"decision\":\"approve\"}", "reason");
        refused(UnblockRoutes.DecisionRequest::from, "{\"decision\":\"approve\",\"reason\":\" \"}", "reason");
        refused(UnblockRoutes.DecisionRequest::from, "{\"decision\":\"refuse\",\"reason\":\"" + SECRET.repeat(200) + "\"}", "reason");
    }
}
