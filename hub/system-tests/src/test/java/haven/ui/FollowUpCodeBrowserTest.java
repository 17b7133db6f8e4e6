package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.FollowUpCode;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.Stack;
import haven.testkit.StaffClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * "I want to talk to someone": the pupil is shown two animal words once, only their keyed hash reaches
 * the coordinator, and staff find the report with them (audited, rate-limited). Real hub, broker,
 * coordinator and Chromium.
 */
class FollowUpCodeBrowserTest {
    private static final String KEY = "test-school-follow-up-key-0123456789abcdef";
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private final MutableClock hubClock = new MutableClock(Instant.now());
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Hub hub;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("keepAliveSeconds", 5)
                .put("clientId", "coordinator-" + Long.toHexString(System.nanoTime()));
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        haven.testkit.Stack.testSigningKey(c, dir);
        c.putObject("ingest").put("repairSeconds", 1);
        c.putObject("followUp").put("key", KEY);
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test coordinator", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("gov", Role.GOVERNOR, PASSWORD.toCharArray());
        ObjectNode h = Stack.hubJson("year2", broker.port(), dir);
        h.putObject("followUp").put("key", KEY);
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), hubClock);
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 800, 480);
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        hub.close();
        coordinator.close();
        broker.close();
        http.close();
    }

    private HttpResponse<String> kiosk(String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path));
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void click(By by) {
        Browser.click(wait, by);
    }

    private void screenshot(String name) throws Exception {
        Browser.screenshot(browser, name);
    }

    private static List<String> rows(Path db, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void thePupilSeesTheCodeOnceOnlyItsHashTravelsAndStaffFindTheReportWithIt() throws Exception {
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, 800, 480);
        wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
        assertEquals(202, kiosk("POST", "/api/sim/button").statusCode());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("talk")));
        screenshot("follow-up-thanks-800");
        Long overflow = (Long) browser.executeScript("return document.documentElement.scrollHeight - window.innerHeight;");
        assertTrue(overflow <= 0, "the thank-you screen with the talk button fits 800x480, overflow " + overflow);
        click(By.id("talk"));

        String shown = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("follow-up-code"))).getText();
        FollowUpCode code = FollowUpCode.parse(shown);
        assertEquals(code.text(), Json.parse(kiosk("GET", "/api/kiosk").body().getBytes()).path("followUpCode").asText());
        double px = Double.parseDouble(browser.findElement(By.id("follow-up-code")).getCssValue("font-size").replace("px", ""));
        assertTrue(px >= 48, "the code is big enough to read from the button: " + px);
        screenshot("follow-up-code-800");
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "code screen accessibility at 800");
        Browser.viewport(browser, 1920, 1080);
        assertEquals(0, Browser.horizontalOverflow(browser));
        screenshot("follow-up-code-1920");
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "code screen accessibility at 1920");
        assertEquals(409, kiosk("POST", "/api/kiosk/follow-up").statusCode(), "one code per report");

        // The next presser (maybe another pupil, inside the coalescing window) never sees the code.
        Browser.viewport(browser, 800, 480);
        hubClock.advance(Duration.ofSeconds(1));
        assertEquals(202, kiosk("POST", "/api/sim/button").statusCode());
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("follow-up")));
        assertFalse(Json.parse(kiosk("GET", "/api/kiosk").body().getBytes()).has("followUpCode"), "the code is gone at the next press");
        assertFalse(browser.findElement(By.tagName("body")).getText().contains(code.text()));

        // On the wire and in both databases only the keyed hash, never the words.
        Path coordinatorDb = coordinator.database().file();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                !rows(coordinatorDb, "SELECT payload FROM events WHERE type = 'worry.follow-up'").isEmpty());
        JsonNode data = Json.parse(rows(coordinatorDb, "SELECT payload FROM events WHERE type = 'worry.follow-up'").get(0).getBytes()).get("data");
        assertEquals(code.hash(KEY), data.get("codeHash").asText());
        assertEquals(2, data.size(), "report and codeHash only: " + data);
        for (String payload : rows(hub.config().database(), "SELECT payload FROM outbox")) {
            assertFalse(payload.contains(code.text()) || payload.contains("\"" + code.first()), "the hub's outbox holds no code: " + payload);
        }

        // Shown once: when its time is up it is gone from the screen and the state, and cannot be asked for again.
        hubClock.advance(Duration.ofSeconds(21));
        hub.classroom().changed();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("follow-up")));
        JsonNode after = Json.parse(kiosk("GET", "/api/kiosk").body().getBytes());
        assertFalse(after.has("followUpCode"), after.toString());
        assertFalse(browser.findElement(By.tagName("body")).getText().contains(code.text()));

        // The DSL types the words on the dashboard and lands on the report.
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        Browser.viewport(browser, 1366, 768);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys("dsl");
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("follow-up-words"))).sendKeys(code.first() + " " + code.second());
        browser.findElement(By.id("follow-up-button")).click();
        // The look-up opens the report's page, with the words' find and the record-it button at its top.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("came-forward"), "Found with the pupil's words"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("detail-title"), "year2"));
        assertEquals("", browser.findElement(By.id("follow-up-words")).getDomProperty("value"), "the words are not left on the dashboard");
        screenshot("follow-up-dashboard-1366");
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "dashboard with the follow-up form");

        // The adult the pupil came forward to records it, once, from the look-up's result.
        click(By.id("came-forward-button"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("came-forward"), "Recorded: the pupil came forward to dsl"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("chronology"), "The pupil came forward to dsl"));
        screenshot("follow-up-came-forward-1366");
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "dashboard after recording that the pupil came forward");

        try (StaffClient dsl = new StaffClient(coordinator.httpPort()); StaffClient gov = new StaffClient(coordinator.httpPort())) {
            dsl.login("dsl", PASSWORD);
            long open = Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            HttpResponse<String> found = dsl.get("/api/follow-up/" + code.first() + "-" + code.second());
            assertEquals(200, found.statusCode(), found.body());
            assertEquals(open, Json.parse(found.body().getBytes()).get("incident").get("id").asLong());
            assertEquals(List.of("incident=" + open, "incident=" + open),
                    rows(coordinatorDb, "SELECT target FROM audit WHERE action = 'follow-up-lookup' AND actor = 'dsl'"),
                    "the dashboard's and the API's look-ups are both audited");

            JsonNode incident = Json.parse(dsl.get("/api/incidents/" + open).body().getBytes());
            assertEquals("dsl", incident.path("cameForwardBy").asText(), incident.toString());
            assertFalse(incident.path("cameForwardAt").isNull(), incident.toString());
            assertTrue(incident.get("chronology").toString().contains("coordinator.came-forward"),
                    "the chronology lists the chained decision: " + incident.get("chronology"));
            HttpResponse<String> again = dsl.post("/api/incidents/" + open + "/came-forward", "{}");
            assertEquals(409, again.statusCode(), "recorded once only: " + again.body());
            assertTrue(again.body().contains("dsl"), again.body());
            JsonNode answer = Json.parse(dsl.get("/api/follow-up/" + code.first() + "-" + code.second()).body().getBytes());
            assertTrue(answer.path("cameForwardRecorded").asBoolean(), "the look-up says it is already recorded: " + answer);
            List<String> decided = rows(coordinatorDb, "SELECT payload FROM events WHERE type = 'coordinator.came-forward'");
            assertEquals(1, decided.size(), "one chained decision");
            JsonNode decision = Json.parse(decided.get(0).getBytes()).get("data");
            assertEquals("dsl", decision.get("by").asText());
            assertEquals(open, decision.get("incident").asLong());
            assertEquals(List.of("incident=" + open), rows(coordinatorDb, "SELECT target FROM audit WHERE action = 'came-forward'"));

            gov.login("gov", PASSWORD);
            assertEquals(403, gov.get("/api/follow-up/" + code.first() + "-" + code.second()).statusCode());
            assertEquals(403, gov.post("/api/incidents/" + open + "/came-forward", "{}").statusCode());

            FollowUpCode wrong = new FollowUpCode(code.second(), code.first());
            for (int i = 0; i < 5; i++) {
                assertEquals(404, dsl.get("/api/follow-up/" + wrong.first() + "-" + wrong.second()).statusCode());
            }
            assertEquals(429, dsl.get("/api/follow-up/" + code.first() + "-" + code.second()).statusCode(),
                    "after five wrong codes even the right one waits");
            assertEquals(5, rows(coordinatorDb, "SELECT id FROM audit WHERE action = 'follow-up-miss'").size());
            assertTrue(rows(coordinatorDb, "SELECT target FROM audit").stream().noneMatch(t -> t != null && t.contains(wrong.first())),
                    "typed words are not written to the audit");
        }
    }
}
