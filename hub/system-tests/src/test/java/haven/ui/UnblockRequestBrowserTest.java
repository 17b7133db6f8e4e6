package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.coordinator.Role;
import haven.demo.Demo;
import haven.testkit.Browser;
import haven.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Temporary unblock requests in real Chromium, on the demo: a teacher asks, the technician approves, both see it approved. */
class UnblockRequestBrowserTest {
    @TempDir
    Path dir;
    private Demo demo;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        demo = new Demo(new Demo.Settings(1, 0, Ports.free(), dir.resolve("demo"), "demo-school"), Clock.systemUTC());
        demo.coordinator().staff().put("tech-1", Role.TECHNICIAN, "technician-password".toCharArray());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1280, 900);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (demo != null) {
            demo.close();
        }
    }

    private void logIn(WebDriverWait wait, String base, String name, String password) {
        browser.manage().deleteAllCookies();
        browser.get(base + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys(name);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        browser.findElement(By.id("unblock-link")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), name));
    }

    @Test
    void aTeacherAsksTheTechnicianApprovesAndTheRequestShowsApprovedWithItsEnd() {
        Demo.Login teacher = demo.logins().stream().filter(l -> l.role().equals("teacher")).findFirst().orElseThrow();
        String base = "http://127.0.0.1:" + demo.coordinator().httpPort();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));

        logIn(wait, base, teacher.name(), teacher.password());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("request-panel")));
        browser.findElement(By.id("sites")).sendKeys("video.example.org\nhttps://archive.example.net/ww2");
        browser.findElement(By.id("reason")).sendKeys("Year 9 history project on wartime film");
        browser.findElement(By.id("group")).sendKeys("9H history");
        LocalDateTime now = LocalDateTime.now().truncatedTo(ChronoUnit.MINUTES);
        DateTimeFormatter local = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
        browser.executeScript("document.getElementById('from').value = arguments[0];"
                + "document.getElementById('until').value = arguments[1];", now.format(local), now.plusDays(7).format(local));
        browser.findElement(By.id("request-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("request-result"), "Sent"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#requests tbody"), "waiting for the technical staff"));
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "accessibility of the unblock page");

        logIn(wait, base, "tech-1", "technician-password");
        var pending = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#requests tbody tr.request-pending")));
        assertTrue(pending.getText().contains("video.example.org"), pending.getText());
        assertTrue(pending.getText().contains("Year 9 history project"), pending.getText());
        pending.findElement(By.tagName("textarea")).sendKeys("Checked the sites; fine for the project");
        pending.findElement(By.cssSelector("button.approve")).click();
        var approved = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#requests tbody tr.request-approved")));
        assertTrue(approved.getText().contains("approved"), approved.getText());
        assertTrue(approved.getText().contains("unblocked until"), approved.getText());
        assertTrue(approved.getText().contains("tech-1"), approved.getText());

        logIn(wait, base, teacher.name(), teacher.password());
        var seen = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#requests tbody tr.request-approved")));
        assertTrue(seen.getText().contains("unblocked until"), "the teacher sees the decision and its end: " + seen.getText());
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "accessibility of the decided request");
    }

    /**
     * "The DSL is told" (issue #18): a request made elsewhere reaches whoever decides on the dashboard they
     * already have open, and the unblock page's list follows the live feed without a reload.
     */
    @Test
    void aRequestMadeElsewhereIsNoticedOnTheOpenDashboardAndTheListFollowsWithoutAReload() throws Exception {
        Demo.Login teacher = demo.logins().stream().filter(l -> l.role().equals("teacher")).findFirst().orElseThrow();
        String base = "http://127.0.0.1:" + demo.coordinator().httpPort();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(base + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys("tech-1");
        browser.findElement(By.id("password")).sendKeys("technician-password");
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        assertTrue(!browser.findElement(By.id("unblock-notice")).isDisplayed(), "nothing to tell yet");

        haven.testkit.StaffClient asker = new haven.testkit.StaffClient(demo.coordinator().httpPort());
        assertEquals(200, asker.login(teacher.name(), teacher.password()));
        java.time.Instant from = java.time.Instant.now();
        String body = "{\"sites\":[\"video.example.org\"],\"reason\":\"Year 9 history project\",\"group\":\"9H\","
                + "\"from\":\"" + from + "\",\"until\":\"" + from.plus(Duration.ofDays(2)) + "\"}";
        assertEquals(201, asker.post("/api/unblock-requests", body).statusCode());
        var notice = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("unblock-notice")));
        assertTrue(notice.getText().contains("asked for a temporary unblock of 1 site"), notice.getText());
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "accessibility of the dashboard with the notice");

        notice.findElement(By.tagName("a")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#requests tbody tr.request-pending"), 1));
        assertEquals(201, asker.post("/api/unblock-requests", body.replace("video.example.org", "maps.example.org")).statusCode());
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#requests tbody tr.request-pending"), 2));
    }
}
