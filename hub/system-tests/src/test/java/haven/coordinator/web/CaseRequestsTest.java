package haven.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.CaseActionKind;
import haven.coordinator.IllegalContent;
import haven.coordinator.ReviewAction;
import haven.coordinator.ReviewJudgement;
import haven.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The case and review request bodies: what a good body becomes, and that a bad one is refused naming its field. */
class CaseRequestsTest {
    private static JsonNode body(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(Function<JsonNode, ?> parse, String json, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse.apply(body(json)), json);
        assertTrue(e.getMessage().startsWith(field), "'" + e.getMessage() + "' should name " + field);
    }

    @Test
    void aNoteIsItsTextAndTheNoteItCorrects() {
        assertEquals(new CaseRoutes.NoteRequest("spoke to the pupil", Optional.empty()),
                CaseRoutes.NoteRequest.from(body("{\"text\":\"  spoke to the pupil \"}")));
        assertEquals(Optional.of(7L), CaseRoutes.NoteRequest.from(body("{\"text\":\"t\",\"corrects\":7}")).corrects());
        refused(CaseRoutes.NoteRequest::from, "{\"text\":\"   \"}", "text");
        refused(CaseRoutes.NoteRequest::from, "{\"text\":\"t\",\"corrects\":\"seven\"}", "corrects");
        refused(CaseRoutes.NoteRequest::from, "{\"text\":\"" + "x".repeat(CaseRoutes.MAX_TEXT + 1) + "\"}", "text");
    }

    @Test
    void anActionHasAKnownKindAndADueTimeWithAnOffset() {
        CaseRoutes.ActionRequest a = CaseRoutes.ActionRequest.from(
                body("{\"kind\":\"lado-referral\",\"reference\":\"L-12\",\"due\":\"2026-11-27T16:00:00+01:00\"}"));
        assertEquals(new CaseRoutes.ActionRequest(CaseActionKind.LADO_REFERRAL, "L-12", Instant.parse("2026-11-27T15:00:00Z")), a);
        assertEquals(null, CaseRoutes.ActionRequest.from(body("{\"kind\":\"police\",\"due\":\"2026-11-27T16:00:00Z\"}")).reference());
        refused(CaseRoutes.ActionRequest::from, "{\"kind\":\"shrug\",\"due\":\"2026-11-27T16:00:00Z\"}", "kind");
        refused(CaseRoutes.ActionRequest::from, "{\"kind\":\"police\",\"due\":\"tomorrow\"}", "due");
        refused(CaseRoutes.ActionRequest::from, "{\"kind\":\"police\",\"due\":\"2026-11-27T16:00:00\"}", "due");
        refused(CaseRoutes.ActionRequest::from, "{\"kind\":\"police\"}", "due");
        refused(CaseRoutes.ActionRequest::from, "{\"kind\":\"police\",\"reference\":\"" + "r".repeat(201)
                + "\",\"due\":\"2026-11-27T16:00:00Z\"}", "reference");
    }

    @Test
    void assignAndReopenNeedTheirOneField() {
        assertEquals("dsl", CaseRoutes.AssignRequest.from(body("{\"to\":\" dsl \"}")).to());
        refused(CaseRoutes.AssignRequest::from, "{}", "to");
        assertEquals("new evidence", CaseRoutes.ReopenRequest.from(body("{\"reason\":\"new evidence\"}")).reason());
        refused(CaseRoutes.ReopenRequest::from, "{\"reason\":\"\"}", "reason");
    }

    @Test
    void illegalIsOneOfTheKnownWords() {
        assertEquals(IllegalContent.SUSPECTED_CSAM, ReviewRoutes.IllegalRequest.from(body("{\"illegal\":\"suspected-csam\"}")).illegal());
        refused(ReviewRoutes.IllegalRequest::from, "{\"illegal\":\"maybe\"}", "illegal");
        refused(ReviewRoutes.IllegalRequest::from, "{}", "illegal");
    }

    @Test
    void aReviewPartRecordsUrlsANatureAJudgementAndActions() {
        ReviewRoutes.PartRequest p = ReviewRoutes.PartRequest.from(body("""
                {"computer":"PC-07","urls":["https://example.org/x"],"nature":"described","judgement":"no-substance",
                 "actions":["local-authority","police"]}"""));
        assertEquals(new ReviewRoutes.PartRequest("PC-07", List.of("https://example.org/x"), "described", ReviewJudgement.NO_SUBSTANCE,
                List.of(ReviewAction.LOCAL_AUTHORITY, ReviewAction.POLICE)), p);
        assertEquals(ReviewJudgement.NO_SUBSTANCE, p.part().judgement());
        String good = "\"computer\":\"PC-07\",\"nature\":\"n\",\"judgement\":\"substance\"";
        refused(ReviewRoutes.PartRequest::from, "{" + good + ",\"urls\":[]}", "urls");
        refused(ReviewRoutes.PartRequest::from, "{" + good + ",\"urls\":[\"javascript:alert(1)\"]}", "urls");
        refused(ReviewRoutes.PartRequest::from, "{\"computer\":\"PC-07\",\"nature\":\"n\",\"judgement\":\"maybe\",\"urls\":[\"http://a.b\"]}",
                "judgement");
        refused(ReviewRoutes.PartRequest::from, "{" + good + ",\"urls\":[\"http://a.b\"],\"actions\":[\"shrug\"]}", "actions");
        refused(ReviewRoutes.PartRequest::from, "{\"nature\":\"n\",\"judgement\":\"substance\",\"urls\":[\"http://a.b\"]}", "computer");
    }
}
