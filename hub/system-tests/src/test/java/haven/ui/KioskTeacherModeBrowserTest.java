package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.classroom.TeacherPin;
import haven.config.ConfigFile;
import haven.protocol.EventType;
import haven.testkit.Browser;
import haven.testkit.Ports;
import haven.testkit.Stack;
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

/**
 * Teacher mode on the 800x480 touchscreen: a wrong PIN is refused, the right one opens it, and "We went
 * through the AUP together today" puts one aup.reviewed event in the hub's outbox. No broker: the hub keeps
 * it until one is back, like every event.
 */
class KioskTeacherModeBrowserTest {
    @TempDir
    Path dir;

    private Hub hub;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        ObjectNode h = Stack.hubJson("year5", Ports.free(), dir);
        h.putObject("kiosk").put("teacherPin", TeacherPin.hash("4821"));
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 800, 480);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private void type(WebDriverWait wait, String digits) {
        for (char d : digits.toCharArray()) {
            Browser.click(wait, By.cssSelector("#teacher button[data-teacher-key='" + d + "']"));
        }
        Browser.click(wait, By.cssSelector("#teacher button[data-teacher-key='OK']"));
    }

    private long reviews() throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + hub.config().database());
             var ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE topic LIKE ?")) {
            ps.setString(1, "%/event/" + EventType.AUP_REVIEWED.wire());
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aTeacherOpensTeacherModeWithThePinAndRecordsTheAupReview() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, 800, 480);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#aup-slide li")));
        Browser.click(wait, By.id("teacher-button"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("teacher-pin")));
        type(wait, "1234");
        wait.until(ExpectedConditions.textToBe(By.id("teacher-result"), "Wrong PIN."));
        Browser.screenshot(browser, "kiosk-teacher-wrong-pin-800");
        type(wait, "4821");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("aup-reviewed")));
        assertTrue(browser.findElement(By.id("teacher-aup")).getText().contains("KS2"), browser.findElement(By.id("teacher-aup")).getText());
        Long overflow = (Long) browser.executeScript("return document.documentElement.scrollHeight - window.innerHeight;");
        assertTrue(overflow <= 0, "teacher mode fits 800x480, overflow " + overflow);
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "teacher mode accessibility");
        assertEquals(0, reviews());
        Browser.click(wait, By.id("aup-reviewed"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("teacher-result"), "Recorded"));
        Browser.screenshot(browser, "kiosk-teacher-recorded-800");
        await().atMost(Duration.ofSeconds(10)).until(() -> reviews() == 1);
        Browser.click(wait, By.id("teacher-close"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("idle")));
        assertEquals(1, reviews());
    }
}
