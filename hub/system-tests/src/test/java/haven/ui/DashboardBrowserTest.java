package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.classroom.Hub;
import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.testkit.School;
import haven.testkit.Browser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Real headless Chromium against the real stack: what a safeguarding lead and a pupil actually see. */
class DashboardBrowserTest {
    private static final String PASSWORD = School.PASSWORD;

    @TempDir
    Path dir;

    private School school;
    private Coordinator coordinator;
    private Hub hub;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        school = School.start(dir);
        coordinator = school.coordinator();
        school.staff("dsl", Role.COORDINATOR);
        hub = school.hub("year5");
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1280, 800);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        school.close();
    }

    private void press() throws Exception {
        assertEquals(202, school.press(hub).statusCode());
    }

    private void screenshot(String name) throws Exception {
        Browser.screenshot(browser, name);
    }

    @Test
    void aLoggedInLeadSeesAPressAppearWithoutReloadingAndCanAcknowledgeIt() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys("dsl");
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#rooms li.online[data-room='year5']")));

        press();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#worries li[data-incident]"), "year5"));
        screenshot("dashboard-new-worry");

        // The list re-renders on every live update: find the button afresh, retrying a stale one.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("#worries li[data-incident] button.ack")).click();
            return true;
        });
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#worries li[data-incident]"), "seen by dsl"));
        List<WebElement> items = browser.findElements(By.cssSelector("#worries li.acknowledged"));
        assertEquals(1, items.size());
    }

    @Test
    void aWrongPasswordShowsAClearMessageAndNoData() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys("dsl");
        browser.findElement(By.id("password")).sendKeys("not-the-password");
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("login-error"), "wrong name or password"));
        assertTrue(!browser.findElement(By.id("page-live")).isDisplayed());
    }

    @Test
    void theKioskShowsTheAupThenThanksThePupilAfterAPress() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        // The official Pi touchscreen: an 800x480 viewport.
        long chrome = (Long) browser.executeScript("return window.outerHeight - window.innerHeight;");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(800, 480 + (int) chrome));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".prompt"), "press the button"));
        wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
        screenshot("kiosk-idle");

        press();

        WebElement thanks = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("thanks-title")));
        assertTrue(thanks.getText().contains("You did the right thing"));
        browser.findElement(By.cssSelector("[data-category='stranger-contact']")).click();
        // The choice is never marked on the public screen: one neutral confirmation replaces the choices.
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-done")));
        screenshot("kiosk-thanks");
        Long overflow = (Long) browser.executeScript(
                "return document.documentElement.scrollHeight - window.innerHeight;");
        assertTrue(overflow <= 0, "the thank-you screen fits the 800x480 touchscreen without scrolling, overflow " + overflow);
    }
}
