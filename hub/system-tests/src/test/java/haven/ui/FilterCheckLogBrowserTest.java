package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.demo.Demo;
import haven.testkit.Browser;
import haven.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openqa.selenium.support.ui.WebDriverWait;

/** The DfE check log page in real Chromium, on the demo (whose first room lets "games" through, simulated). */
class FilterCheckLogBrowserTest {
    @TempDir
    Path dir;
    private Demo demo;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        demo = new Demo(new Demo.Settings(2, 0, Ports.free(), dir.resolve("demo"), "demo-school"), Clock.systemUTC());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1280, 800);
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

    @Test
    void theDslSeesTheFailedCheckAndRecordsTheActionTaken() {
        Demo.Login dsl = demo.logins().stream().filter(l -> l.role().equals("coordinator")).findFirst().orElseThrow();
        String base = "http://127.0.0.1:" + demo.coordinator().httpPort();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(base + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys(dsl.name());
        browser.findElement(By.id("password")).sendKeys(dsl.password());
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));

        browser.get(base + "/filter-checks.html");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("start-panel")));
        // The demo's first checks arrive within seconds; the page shows what was there when it loaded.
        wait.until(d -> {
            if (d.findElements(By.cssSelector("#checks tbody tr")).size() < 2) {
                d.navigate().refresh();
                return false;
            }
            return true;
        });
        var failed = browser.findElement(By.cssSelector("#checks tbody tr.failed"));
        assertTrue(failed.getText().contains("games"), failed.getText());
        assertTrue(failed.getText().contains("reachable (expected blocked)"), failed.getText());
        assertTrue(browser.findElement(By.id("open-count")).getText().contains("1 failed"));
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "accessibility of the check log");

        failed.findElement(By.tagName("textarea")).sendKeys("Games sites added to the filter's block list");
        failed.findElement(By.tagName("button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#checks tbody"),
                "Games sites added to the filter's block list"));
        wait.until(ExpectedConditions.textToBe(By.id("open-count"), ""));
        assertEquals(0, browser.findElements(By.cssSelector("#checks tbody tr.failed")).size());

        // The governors' report shows the month's filtering: two checks, one failed, its action recorded, games.
        browser.get(base + "/#/reports");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#report-filtering tbody tr")));
        String row = browser.findElement(By.cssSelector("#report-filtering tbody tr")).getText();
        assertTrue(row.matches("(?s).*\\b2\\b.*\\b1\\b.*\\b1\\b.*games \\(1\\).*"), row);
        String csvLink = browser.findElement(By.id("report-filtering-csv")).getAttribute("href");
        assertTrue(csvLink.endsWith("/api/reports/filtering.csv"), csvLink);
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "accessibility of the report with its filtering section");
    }
}
