package haven.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.TeacherPin;
import haven.coordinator.Role;
import haven.protocol.Json;
import haven.testkit.School;
import haven.testkit.StaffClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teacher mode on the kiosk: the PIN (only its hash in hub.yaml) or the turned key opens it, "We went through
 * the AUP together today" travels as aup.reviewed through the outbox, and the coordinator shows when each room
 * last reviewed its AUP and how often, in the rooms list and the governors' report. Wrong PINs are limited.
 */
class AupReviewedEndToEndTest {
    @TempDir
    Path dir;

    private static HttpResponse<String> reviewed(Hub hub, String token) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/kiosk/teacher/aup-reviewed"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"language\":\"en\"}"));
            if (token != null) {
                b.header("X-Teacher-Token", token);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static JsonNode room(StaffClient staff, String name) throws Exception {
        for (JsonNode r : Json.parse(staff.get("/api/rooms").body().getBytes()).get("rooms")) {
            if (r.path("room").asText().equals(name)) {
                return r;
            }
        }
        return Json.object();
    }

    @Test
    void aTeacherRecordsTheAupReviewWithThePinOrTheKeyAndGovernorsSeeIt() throws Exception {
        try (School school = School.start(dir)) {
            ObjectNode yaml = school.hubJson("year5");
            yaml.putObject("kiosk").put("teacherPin", TeacherPin.hash("4821"));
            Hub hub = school.hub(yaml);
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
            school.staff("dsl", Role.COORDINATOR);
            school.staff("gov", Role.GOVERNOR);

            assertEquals(401, reviewed(hub, null).statusCode(), "nothing is recorded without teacher mode");
            assertEquals(401, reviewed(hub, "not-a-token").statusCode());
            assertEquals(403, school.kiosk(hub, "/api/kiosk/teacher", "{\"pin\":\"1111\"}").statusCode(), "a wrong PIN");
            HttpResponse<String> opened = school.kiosk(hub, "/api/kiosk/teacher", "{\"pin\":\"4821\"}");
            assertEquals(200, opened.statusCode(), opened.body());
            String token = Json.parse(opened.body().getBytes()).get("token").asText();
            assertEquals(201, reviewed(hub, token).statusCode());

            await().atMost(Duration.ofSeconds(20)).until(() -> school.loggedEvents("aup.reviewed") == 1);
            try (StaffClient dsl = new StaffClient(school.coordinator().httpPort()); StaffClient gov = new StaffClient(school.coordinator().httpPort())) {
                dsl.login("dsl", School.PASSWORD);
                await().atMost(Duration.ofSeconds(10)).until(() -> !room(dsl, "year5").path("aupReviewedAt").isNull()
                        && room(dsl, "year5").has("aupReviewedAt"));
                gov.login("gov", School.PASSWORD);
                JsonNode report = Json.parse(gov.get("/api/reports").body().getBytes());
                JsonNode reviews = report.get("aupReviews");
                assertEquals(1, reviews.size(), report.toString());
                assertEquals("year5", reviews.get(0).get("room").asText());
                assertEquals(room(dsl, "year5").get("aupReviewedAt").asText(), reviews.get(0).get("lastReviewedAt").asText());
                assertEquals(1, reviews.get(0).get("months").get(0).get("reviews").asLong());
            }
            // The governor reads it on the dashboard's report.
            java.nio.file.Files.createDirectories(dir.resolve("chrome"));
            org.openqa.selenium.chrome.ChromeDriver browser = haven.testkit.Browser.start(dir.resolve("chrome"), 1366, 768);
            try {
                var wait = new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(10));
                browser.get("http://127.0.0.1:" + school.coordinator().httpPort() + "/");
                wait.until(org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated(
                        org.openqa.selenium.By.id("name"))).sendKeys("gov");
                browser.findElement(org.openqa.selenium.By.id("password")).sendKeys(School.PASSWORD);
                browser.findElement(org.openqa.selenium.By.id("login-button")).click();
                wait.until(org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
                        org.openqa.selenium.By.cssSelector("#aup-reviews tbody"), "year5"));
                haven.testkit.Browser.screenshot(browser, "dashboard-governor-aup-reviews-1366");
                assertEquals(java.util.List.of(), haven.testkit.Browser.accessibilityViolations(browser), "governor's report");
            } finally {
                browser.quit();
            }

            // The teacher closes teacher mode: the token no longer records anything.
            assertEquals(204, school.kiosk(hub, "/api/kiosk/teacher/close", null).statusCode());
            assertEquals(401, reviewed(hub, token).statusCode());

            // While the key is turned no PIN is needed.
            assertEquals(202, school.kiosk(hub, "/api/sim/switch", "{\"on\":true}").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.classroom().keySwitchOn());
            HttpResponse<String> byKey = school.kiosk(hub, "/api/kiosk/teacher", "{}");
            assertEquals(200, byKey.statusCode(), byKey.body());
            assertEquals(201, reviewed(hub, Json.parse(byKey.body().getBytes()).get("token").asText()).statusCode());
            assertEquals(202, school.kiosk(hub, "/api/sim/switch", "{\"on\":false}").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> !hub.classroom().keySwitchOn());
            await().atMost(Duration.ofSeconds(20)).until(() -> school.loggedEvents("aup.reviewed") == 2);

            // Wrong PINs: after five in the window even the right one waits.
            for (int i = 0; i < 4; i++) {
                assertEquals(403, school.kiosk(hub, "/api/kiosk/teacher", "{\"pin\":\"0000\"}").statusCode());
            }
            assertEquals(403, school.kiosk(hub, "/api/kiosk/teacher", "{\"pin\":\"9999\"}").statusCode());
            assertEquals(429, school.kiosk(hub, "/api/kiosk/teacher", "{\"pin\":\"4821\"}").statusCode(), "rate-limited");
        }
    }

    @Test
    void thePinIsKeptOnlyAsAHash() {
        String line = TeacherPin.hash("4821");
        assertFalse(line.contains("4821"), line);
        assertTrue(TeacherPin.parse(line).matches("4821"));
        assertFalse(TeacherPin.parse(line).matches("4822"));
        assertFalse(TeacherPin.hash("4821").equals(line), "a fresh salt each time");
    }
}
