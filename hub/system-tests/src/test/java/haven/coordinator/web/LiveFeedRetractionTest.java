package haven.coordinator.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.classroom.Hub;
import haven.coordinator.Role;
import haven.testkit.School;
import haven.testkit.StaffClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worry reaches the room's teacher the moment it is pressed; if the pupil then says it is about a
 * grown-up, only the head may see it (docs/SECURITY.md). The teacher's dashboard must lose the row, not
 * keep it with its room, time and press count.
 */
class LiveFeedRetractionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Optional<JsonNode> first(StaffClient who, String kind) {
        return who.received.stream().filter(m -> m.path("kind").asText().equals(kind)).findFirst();
    }

    @Test
    void aWorryThatTurnsOutToBeAboutAGrownUpIsRetractedFromTheTeachersDashboard(@TempDir Path dir) throws Exception {
        try (School school = School.start(dir);
             StaffClient teacher = new StaffClient(school.coordinator().httpPort());
             StaffClient head = new StaffClient(school.coordinator().httpPort());
             StaffClient otherTeacher = new StaffClient(school.coordinator().httpPort())) {
            Hub year5 = school.hub("year5");
            school.staff("ms-year5", Role.TEACHER, "year5");
            school.staff("mr-year6", Role.TEACHER, "year6");
            school.staff("head", Role.HEAD);
            assertEquals(200, teacher.login("ms-year5", School.PASSWORD));
            assertEquals(200, head.login("head", School.PASSWORD));
            assertEquals(200, otherTeacher.login("mr-year6", School.PASSWORD));
            teacher.openLive();
            head.openLive();
            otherTeacher.openLive();
            await().atMost(WAIT).until(() -> first(teacher, "snapshot").isPresent() && first(head, "snapshot").isPresent()
                    && first(otherTeacher, "snapshot").isPresent());

            assertEquals(202, school.press(year5).statusCode());
            long id = await().atMost(WAIT).until(() -> first(teacher, "incident"), Optional::isPresent)
                    .orElseThrow().path("incident").path("id").asLong();

            assertEquals(200, school.kiosk(year5, "/api/kiosk/detail", "{\"category\":\"about-an-adult\"}").statusCode());

            JsonNode retract = await().atMost(WAIT).until(() -> first(teacher, "retract"), Optional::isPresent).orElseThrow();
            assertEquals(id, retract.path("id").asLong());
            await().atMost(WAIT).until(() -> head.received.stream().anyMatch(m -> m.path("kind").asText().equals("incident")
                    && m.path("incident").path("category").asText().equals("about-an-adult")));
            assertTrue(teacher.received.stream().noneMatch(m -> m.toString().contains("about-an-adult")),
                    "the teacher never learns the category: " + teacher.received);
            assertTrue(first(otherTeacher, "retract").isEmpty(), "a teacher who never saw it is told nothing about it");
        }
    }
}
