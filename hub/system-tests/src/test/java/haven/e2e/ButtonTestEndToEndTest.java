package haven.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.classroom.Hub;
import haven.coordinator.Role;
import haven.protocol.Json;
import haven.testkit.School;
import haven.testkit.StaffClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A drill: the room's teacher arms test mode, the next press is a test (no incident), the one after is a worry. */
class ButtonTestEndToEndTest {
    @TempDir
    Path dir;
    private School school;

    @AfterEach
    void stop() {
        if (school != null) {
            school.close();
        }
    }

    private static JsonNode json(String body) {
        return Json.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTestPressOpensNoIncidentTellsTheKioskAndIsShownAsTheRoomsLastTest() throws Exception {
        school = School.start(dir);
        school.staff("oak-teacher", Role.TEACHER, "year5");
        school.staff("elm-teacher", Role.TEACHER, "year6");
        Hub year5 = school.hub("year5");
        Hub year6 = school.hub("year6");
        await().atMost(Duration.ofSeconds(20)).until(() -> year5.mqtt().isSubscribed() && year6.mqtt().isSubscribed());
        try (StaffClient oak = new StaffClient(school.coordinator().httpPort());
             StaffClient elm = new StaffClient(school.coordinator().httpPort())) {
            assertEquals(200, oak.login("oak-teacher", School.PASSWORD));
            assertEquals(200, elm.login("elm-teacher", School.PASSWORD));
            assertEquals(403, elm.post("/api/rooms/test-school/year5/test-mode", "").statusCode(), "not elm's room");
            await().atMost(Duration.ofSeconds(20)).until(() -> json(oak.get("/api/button-tests").body()).size() == 2);
            json(oak.get("/api/button-tests").body()).forEach(r -> assertTrue(r.get("overdue").asBoolean(), "never tested: " + r));

            long applied = school.loggedEvents("cmd.applied");
            assertEquals(202, oak.post("/api/rooms/test-school/year5/test-mode", "{\"minutes\":5}").statusCode());
            await().atMost(Duration.ofSeconds(20)).until(() -> school.loggedEvents("cmd.applied") > applied);

            assertEquals(202, school.press(year5).statusCode());
            await().atMost(Duration.ofSeconds(20)).until(() -> school.loggedEvents("button.tested") == 1);
            assertEquals("test", year5.classroom().view().get("screen").asText(), "the kiosk says it was a test");
            assertEquals(0, school.loggedEvents("worry.reported"));
            assertEquals(0, json(oak.get("/api/incidents").body()).path("incidents").size(), "no incident for a test");
            JsonNode tests = json(oak.get("/api/button-tests").body());
            for (JsonNode r : tests) {
                boolean tested = r.get("room").asText().equals("year5");
                assertEquals(!tested, r.get("overdue").asBoolean(), r.toString());
                assertEquals(tested, r.hasNonNull("lastTestedAt"), r.toString());
            }

            // Test mode is used up: the next press the debouncer counts (a child's, not a bounce) is a worry.
            await().atMost(Duration.ofSeconds(10)).until(() -> school.press(year5).statusCode() == 202);
            await().atMost(Duration.ofSeconds(20)).until(() -> school.loggedEvents("worry.reported") == 1);
            assertEquals("thanks", year5.classroom().view().get("screen").asText());
            assertEquals(1, school.loggedEvents("button.tested"));
        }
    }
}
