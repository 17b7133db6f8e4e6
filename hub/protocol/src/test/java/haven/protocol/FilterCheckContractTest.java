package haven.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterCheckContractTest {
    private final RoomId room = new RoomId("school", "year5");

    @Test
    void targetsTopicSitsUnderTheReservedSiteLevel() {
        assertEquals("haven/v1/school/_site/filter-targets", Topics.filterTargets("school"));
        assertTrue(Topics.isFilterTargets(Topics.filterTargets("school")));
        assertFalse(Topics.isFilterTargets(Topics.aup("school", "ks2")));
        assertFalse(Topics.isFilterTargets("haven/v1/school/year5/filter-targets"));
    }

    @Test
    void targetsDecodeWhatTheyEncodeAndRefuseAnUnknownExpectation() {
        FilterTargets targets = new FilterTargets(Instant.parse("2026-12-01T08:00:00Z"),
                List.of(new FilterTargets.Target("adult", "http://adult.test/", "blocked")),
                List.of("Blocked by the school filter"), List.of("School Filter CA"), List.of("10.0.0.1"));
        assertEquals(targets, FilterTargets.decode(targets.encode()));
        String bad = new String(targets.encode(), StandardCharsets.UTF_8).replace("\"blocked\"", "\"maybe\"");
        assertTrue(assertThrows(ContractViolation.class, () -> FilterTargets.decode(bad.getBytes(StandardCharsets.UTF_8)))
                .getMessage().contains("targets.expected"));
    }

    private Event checked(ObjectNode result) {
        ObjectNode data = Json.object();
        data.put("check", "0190-check");
        data.put("by", "schedule");
        data.putArray("results").add(result);
        return new Event("01956a1e-7b3c-7d2e-9f10-2a3b4c5d6e7f", 3, EventType.FILTER_CHECKED, room, Instant.now(), data);
    }

    @Test
    void aFilterCheckedEventIsCheckedStrictlyNamingTheBadField() {
        EventCodec codec = new EventCodec();
        ObjectNode evidence = Json.object();
        evidence.put("dns", "nxdomain");
        FilterResult ok = new FilterResult("adult", "adult.test", "blocked", "blocked", evidence);
        Event event = checked(ok.toJson());
        assertEquals(event.data(), codec.decode(event.topic(), codec.encode(event)).data());

        ObjectNode wrong = ok.toJson();
        wrong.put("result", "fine");
        Event bad = checked(wrong);
        assertTrue(assertThrows(ContractViolation.class, () -> codec.decode(bad.topic(), codec.encode(bad)))
                .getMessage().contains("data.results.result"));
        ObjectNode body = ok.toJson();
        body.put("body", "<html>");
        Event withBody = checked(body);
        assertTrue(assertThrows(ContractViolation.class, () -> codec.decode(withBody.topic(), codec.encode(withBody)))
                .getMessage().contains("data.results.body"));
    }

    @Test
    void onlyABlockedExpectationThatWasReachableIsAFailure() {
        ObjectNode e = Json.object();
        assertTrue(new FilterResult("adult", "a.test", "blocked", "reachable", e).failed());
        assertFalse(new FilterResult("adult", "a.test", "blocked", "blocked", e).failed());
        assertFalse(new FilterResult("adult", "a.test", "blocked", "error", e).failed());
    }
}
