package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
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
 * The data-breach page (#/breaches, breaches.js; docs/DATA-PROTECTION.md) in real headless Chromium: the DSL
 * records a suspected breach in the form, sees its 72-hour countdown beside an overdue one, records the
 * decision; at 1366 and 390 wide, with axe and no console errors. A teacher has no such page.
 */
class BreachesBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final ZoneId LONDON = ZoneId.of("Europe/London");

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "breaches-browser-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("teacher", Role.TEACHER, PASSWORD.toCharArray());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1366, 768);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        coordinator.close();
        broker.close();
    }

    private WebDriverWait login(String name) {
        WebDriverWait wait = new WebDriverWait(browser, BOUND);
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys(name);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        return wait;
    }

    private String clockOf(int row) {
        return (String) browser.executeScript("const li = document.querySelectorAll('#breach-list li')[arguments[0]];"
                + " return li ? li.querySelector('.clock').textContent : '';", row);
    }

    @Test
    void theDslRecordsABreachAndSeesItsCountdownBesideAnOverdueOne() throws Exception {
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            assertEquals(201, dsl.post("/api/breaches", Json.write(Json.object()
                    .put("discoveredAt", Json.time(Instant.now().minus(Duration.ofHours(80))))
                    .put("whatHappened", "A staff laptop left on a train").put("dataAffected", "class lists")
                    .put("peopleAffected", "one class"))).statusCode());
        }
        WebDriverWait wait = login("dsl");
        Browser.click(wait, By.cssSelector("#nav a[data-nav='breaches']"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("breach-form")));
        assertTrue(browser.findElement(By.id("breach-names-warning")).getText().contains("Do not type pupils' names"));
        wait.until(d -> clockOf(0).startsWith("Overdue by 8 hours"));

        ZonedDateTime discovered = ZonedDateTime.now(LONDON).minusHours(2);
        browser.findElement(By.id("breach-discovered-date")).clear();
        browser.findElement(By.id("breach-discovered-date")).sendKeys(discovered.format(DateTimeFormatter.ofPattern("d/M/yyyy")));
        browser.findElement(By.id("breach-discovered-time")).clear();
        browser.findElement(By.id("breach-discovered-time")).sendKeys(discovered.format(DateTimeFormatter.ofPattern("HH:mm")));
        browser.findElement(By.id("breach-what")).sendKeys("Attendance spreadsheet e-mailed to the wrong parent");
        browser.findElement(By.id("breach-data")).sendKeys("attendance marks");
        browser.findElement(By.id("breach-people")).sendKeys("about 30 pupils");
        browser.findElement(By.id("breach-containment")).sendKeys("the parent deleted it and confirmed by phone");
        browser.findElement(By.id("breach-button")).click();
        wait.until(ExpectedConditions.textMatches(By.id("breach-result"), java.util.regex.Pattern.compile("^Breach recorded\\. 2 days 2[01] hours")));
        wait.until(d -> clockOf(1).matches("2 days 2[01] hours \\d+ minutes? left to decide"));
        assertTrue(clockOf(0).startsWith("Overdue by"), "the overdue one first: its deadline is the soonest");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("breach-decision-form")));
        assertEquals("0", String.valueOf(Browser.horizontalOverflow(browser)));
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "breach page accessibility at 1366");
        browser.executeScript("window.scrollTo(0, 0)");
        Browser.screenshot(browser, "breaches-1366");

        Browser.viewport(browser, 390, 844);
        wait.until(d -> Browser.horizontalOverflow(browser) == 0);
        browser.executeScript("document.getElementById('breach-list').scrollIntoView()");
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "breach page accessibility at 390");
        Browser.screenshot(browser, "breaches-390");
        Browser.viewport(browser, 1366, 768);

        // The decision for the new one: not reported, with its reason; its card says so.
        new Select(browser.findElement(By.id("breach-decision"))).selectByValue("not-reported");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("breach-reason")));
        assertFalse(browser.findElement(By.id("breach-ico-reference")).isDisplayed(), "no ICO reference for a breach not reported");
        browser.findElement(By.id("breach-reason")).sendKeys("deleted unread within the hour; no likely risk to anyone");
        new Select(browser.findElement(By.id("breach-told"))).selectByValue("true");
        browser.findElement(By.id("breach-decision-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("breach-result"), "Decision recorded."));
        wait.until(d -> clockOf(1).equals("Decided: not reported to the ICO"));
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }

    @Test
    void aTeacherHasNoBreachPage() {
        WebDriverWait wait = login("teacher");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        assertFalse(browser.findElement(By.cssSelector("#nav a[data-nav='breaches']")).isDisplayed());
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/#/breaches");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        assertFalse(browser.findElement(By.id("page-breaches")).isDisplayed(), "the route falls back to the teacher's first page");
    }
}
