package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.Totp;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * The Staff AUP at login in a real Chromium with the default config (the DSL gives a second factor): a
 * teacher sees the policy before the dashboard, accepts it, then gets the dashboard; the DSL, after the code,
 * is asked too, and then sees on the AUPs page who has not accepted. Axe-checked, at 1366 and 390 wide.
 */
class StaffAupBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String AUP = """
            # Staff Acceptable Use Policy

            This policy covers every school computer, account and network, and the Haven dashboard.

            ## What I agree to

            - I use school systems for school work and keep my password to myself.
            - I lock my screen when I leave it, and never share a pupil's worry outside the safeguarding team.
            - I report a safeguarding concern to the DSL the same day.

            I understand that my use of school systems is monitored.
            """;

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "staff-aup-browser");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("teacher-a", Role.TEACHER, PASSWORD.toCharArray());
        coordinator.staff().put("teacher-b", Role.TEACHER, PASSWORD.toCharArray());
        coordinator.aups().publish("staff", AUP, "dsl");
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1366, 800);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        coordinator.close();
        broker.close();
    }

    private void password(WebDriverWait wait, String who) {
        var name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name")));
        name.clear();
        name.sendKeys(who);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
    }

    private void assertAccessible(String where) {
        List<String> violations = Browser.accessibilityViolations(browser);
        assertTrue(violations.isEmpty(), where + ": " + violations);
        assertEquals(0, Browser.horizontalOverflow(browser), where + " fits its width");
    }

    @Test
    void aTeacherReadsAndAcceptsTheStaffAupBeforeTheDashboardOpens() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        Browser.viewport(browser, 1366, 800);
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        password(wait, "teacher-a");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("staff-aup-text")));
        assertEquals("Staff Acceptable Use Policy", browser.findElement(By.id("staff-aup-title")).getText());
        assertEquals(3, browser.findElements(By.cssSelector("#staff-aup-text li")).size(), "the Markdown list is a list");
        assertTrue(browser.findElement(By.id("nav")).getAttribute("hidden") != null, "no dashboard before acceptance");
        assertAccessible("the Staff AUP at 1366");
        Browser.screenshot(browser, "dashboard-staff-aup-1366");
        Browser.viewport(browser, 390, 844);
        assertAccessible("the Staff AUP at 390");
        Browser.screenshot(browser, "dashboard-staff-aup-390");
        Browser.viewport(browser, 1366, 800);

        browser.findElement(By.id("staff-aup-accept")).click(); // not ticked: the browser asks for the tick
        assertTrue(browser.findElements(By.id("staff-aup-panel")).size() == 1, "nothing accepted without the tick");
        browser.findElement(By.id("staff-aup-agree")).click();
        browser.findElement(By.id("staff-aup-accept")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("page-live")));
        assertTrue(browser.findElements(By.id("staff-aup-panel")).isEmpty());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("logout"))).click();

        // Accepted once: the next login goes straight to the dashboard.
        password(wait, "teacher-a");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        assertTrue(browser.findElements(By.id("staff-aup-panel")).isEmpty(), "not asked again for the same version");
        assertTrue(Browser.consoleErrors(browser).isEmpty(), Browser.consoleErrors(browser).toString());
    }

    @Test
    void theDslAcceptsAfterTheSecondFactorThenSeesWhoHasNot() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        Browser.viewport(browser, 1366, 800);
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        password(wait, "dsl");
        String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-secret"))).getText();
        byte[] secret = Totp.fromBase32(key);
        browser.findElement(By.id("totp-code")).sendKeys(Totp.code(secret, Totp.step(Instant.now())));
        browser.findElement(By.id("totp-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-continue"))).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("staff-aup-agree"))).click();
        browser.findElement(By.id("staff-aup-accept")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/#/aups");
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("staff-aup-not-yet")));
        wait.until(d -> d.findElements(By.cssSelector("#staff-aup-not-yet tbody tr")).size() == 2);
        String table = browser.findElement(By.id("staff-aup-not-yet")).getText();
        assertTrue(table.contains("teacher-a") && table.contains("teacher-b") && table.contains("never"), table);
        assertTrue(browser.findElement(By.id("staff-aup-summary")).getText().contains("1 accepted, 2 not yet"),
                browser.findElement(By.id("staff-aup-summary")).getText());
        browser.executeScript("document.getElementById('staff-aup-acceptance').scrollIntoView()");
        assertAccessible("who has not accepted, at 1366");
        Browser.screenshot(browser, "dashboard-staff-aup-not-yet-1366");
        Browser.viewport(browser, 390, 844);
        browser.executeScript("document.getElementById('staff-aup-acceptance').scrollIntoView()");
        assertAccessible("who has not accepted, at 390");
        Browser.screenshot(browser, "dashboard-staff-aup-not-yet-390");
        assertTrue(Browser.consoleErrors(browser).isEmpty(), Browser.consoleErrors(browser).toString());
    }
}
