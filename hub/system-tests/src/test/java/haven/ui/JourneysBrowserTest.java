package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.classroom.Hub;
import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Browser;
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
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Whole journeys in real headless Chromium: the safeguarding lead from a press to an exported record, a
 * governor who sees only the report, and a pupil at the classroom screen at two screen sizes — with
 * screenshots under target/screenshots, no console errors, no horizontal overflow and no serious axe-core
 * (WCAG 2.2 AA) violations.
 */
class JourneysBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private Hub hub;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        coordinator = Coordinator.start(Stack.coordinator(broker.port(), dir), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("gov", Role.GOVERNOR, PASSWORD.toCharArray());
        hub = Hub.start(Stack.hub("year5", broker.port(), dir), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1366, 768);
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        hub.close();
        coordinator.close();
        if (broker != null) {
            broker.close();
        }
    }

    private void press() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/sim/button"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    private void screenshot(String name) throws Exception {
        Browser.screenshot(browser, name);
    }

    private void login(String name) {
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys(name);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
    }

    private void click(By by) {
        Browser.click(wait, by);
    }

    private long logged(String type) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events WHERE type = '" + type + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theLeadAcknowledgesClosesAndExportsAWorryAndTheGovernorSeesOnlyTheReport() throws Exception {
        Browser.viewport(browser, 1366, 768);
        login("dsl");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        press();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#worries li[data-incident]")));
        screenshot("journey-dashboard-1366");
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "dashboard accessibility");
        assertEquals(0, Browser.horizontalOverflow(browser));

        click(By.cssSelector("#worries li[data-incident] button.ack"));
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.classroom().view().get("screen").asText().equals("acknowledged"));

        click(By.cssSelector("#worries li[data-incident] .room"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("close-form")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#chronology li")));
        String chronology = browser.findElement(By.id("chronology")).getText();
        screenshot("journey-incident-1366");
        assertTrue(chronology.contains("The worry button was pressed") && !chronology.contains("worry.reported"), "chronology: " + chronology + browser.findElement(By.id("page-incident")).getAttribute("innerHTML"));
        new Select(browser.findElement(By.id("close-outcome"))).selectByValue("referred-to-dsl");
        browser.findElement(By.id("close-nature")).sendKeys("a frightening video shared in a group chat");
        browser.findElement(By.id("close-notes")).sendKeys("spoke with the pupil; parents informed"); // a closing needs a note
        browser.findElement(By.id("close-button")).click();
        click(By.id("close-confirm"));
        wait.until(ExpectedConditions.textToBe(By.id("close-result"), "Closed."));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("#worries li[data-incident]")));
        assertEquals(List.of(), Browser.consoleErrors(browser), "no console errors on the dashboard");

        long id = Json.parse(new StaffClientFor(coordinator).closedIncidents().getBytes()).get("incidents").get(0).get("id").asLong();
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/api/incidents/" + id + "/export");
        String page = browser.findElement(By.tagName("body")).getText();
        assertTrue(page.contains("Chain proof") && page.contains("intact") && page.contains("referred-to-dsl"), page);
        screenshot("journey-export");
        assertEquals(List.of(), Browser.consoleErrors(browser), "the export page loads cleanly");

        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        click(By.id("logout"));
        login("gov");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#report-table tbody tr")));
        assertTrue(!browser.findElement(By.id("page-live")).isDisplayed(), "a governor sees no live incidents");
        screenshot("journey-governor-1366");
    }

    /** A small helper to read closed incidents as the DSL. */
    private record StaffClientFor(Coordinator coordinator) {
        String closedIncidents() throws Exception {
            try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
                dsl.login("dsl", PASSWORD);
                return dsl.get("/api/incidents?status=closed").body();
            }
        }
    }

    @Test
    void aPupilUsesTheClassroomScreenAtTwoSizes() throws Exception {
        for (int[] size : new int[][] {{800, 480}, {1920, 1080}}) {
            browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
            Browser.viewport(browser, size[0], size[1]);
            wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#aup-slide li")));
            double promptPx = Double.parseDouble(browser.findElement(By.cssSelector(".prompt")).getCssValue("font-size").replace("px", ""));
            double rulePx = Double.parseDouble(browser.findElement(By.cssSelector("#aup-slide li")).getCssValue("font-size").replace("px", ""));
            assertTrue(promptPx >= 24 && rulePx >= 24, "text is at least 24 px: prompt " + promptPx + ", rule " + rulePx);
            assertEquals(0, Browser.horizontalOverflow(browser), "no horizontal overflow at " + size[0] + "x" + size[1]);
            assertEquals(List.of(), Browser.accessibilityViolations(browser), "kiosk accessibility at " + size[0]);
            screenshot("journey-kiosk-idle-" + size[0]);
        }

        press();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("thanks-title")));
        click(By.cssSelector("[data-category='unkind-online']"));
        await().atMost(Duration.ofSeconds(5)).until(() -> logged("worry.detailed") == 1);
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "thank-you screen accessibility");
        assertEquals(0, Browser.horizontalOverflow(browser));
        screenshot("journey-kiosk-thanks-1920");

        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            dsl.login("dsl", PASSWORD);
            long id = Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            assertEquals(200, dsl.post("/api/incidents/" + id + "/ack", "{}").statusCode());
        }
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ack-title")));
        assertTrue(browser.findElement(By.id("ack-title")).getText().contains("A trusted adult has seen your message"));

        broker.close();
        broker = null;
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("connection"), "Offline"));
        screenshot("journey-kiosk-offline-1920");
        assertEquals(List.of(), Browser.consoleErrors(browser), "no console errors on the kiosk");
    }
}
