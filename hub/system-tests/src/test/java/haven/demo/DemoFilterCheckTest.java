package haven.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new user of the demo finds one failed filter check (the first room lets "games" through), all simulated. */
class DemoFilterCheckTest {
    @TempDir
    Path dir;
    private Demo demo;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void theDemoShowsAFailedCheckInOneRoomAndPassedChecksElsewhereWithoutTouchingTheNetwork() throws Exception {
        demo = new Demo(new Demo.Settings(2, 0, Ports.free(), dir, "demo-school"), Clock.systemUTC());
        Demo.Login dsl = demo.logins().stream().filter(l -> l.role().equals("coordinator")).findFirst().orElseThrow();
        try (StaffClient staff = new StaffClient(demo.coordinator().httpPort())) {
            assertEquals(200, staff.login(dsl.name(), dsl.password()));
            await().atMost(Duration.ofSeconds(30)).until(() -> checks(staff).size() == 2);
            JsonNode list = checks(staff);
            int failed = 0;
            for (JsonNode check : list) {
                for (JsonNode r : check.get("results")) {
                    assertTrue(r.at("/evidence/simulated").asBoolean(), "every demo result is simulated: " + r);
                }
                if (check.get("failed").asBoolean()) {
                    failed++;
                    assertEquals(demo.hubs().get(0).config().room().room(), check.get("room").asText());
                    assertEquals("open", check.get("incident").asText());
                }
            }
            assertEquals(1, failed, list.toString());
        }
    }

    private static JsonNode checks(StaffClient staff) throws Exception {
        return Json.parse(staff.get("/api/filter-checks").body().getBytes(StandardCharsets.UTF_8));
    }
}
