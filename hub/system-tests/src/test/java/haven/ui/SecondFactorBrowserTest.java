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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The DSL's first login in a real Chromium with the default config: password, then the enrolment screen
 * (login-totp.js) with the key to type into an app, a code computed from it as the app would, the recovery
 * codes shown once, then the dashboard. A second login asks only for the code.
 */
class SecondFactorBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";

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
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "totp-browser");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1280, 800);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        coordinator.close();
        broker.close();
    }

    private void password(WebDriverWait wait) {
        var name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name")));
        name.clear();
        name.sendKeys("dsl");
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
    }

    @Test
    void theDslEnrolsOnFirstLoginAndThenTypesACode() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        password(wait);
        String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-secret"))).getText();
        assertTrue(browser.findElement(By.id("totp-uri")).getAttribute("href").startsWith("otpauth://totp/Haven:dsl?secret="));
        byte[] secret = Totp.fromBase32(key);
        browser.findElement(By.id("totp-code")).sendKeys(Totp.code(secret, Totp.step(Instant.now())));
        browser.findElement(By.id("totp-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-recovery-codes")));
        assertEquals(10, browser.findElements(By.cssSelector("#totp-recovery-codes li")).size());
        Browser.screenshot(browser, "dashboard-totp-recovery-codes");
        browser.findElement(By.id("totp-continue")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("logout"))).click();

        // The next login: only the code, and the code of the next step (the one just used is spent).
        password(wait);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-code")))
                .sendKeys(Totp.code(secret, Totp.step(Instant.now()) + 1));
        assertTrue(browser.findElements(By.id("totp-secret")).isEmpty(), "the key is never shown again");
        browser.findElement(By.id("totp-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        assertTrue(Browser.consoleErrors(browser).isEmpty(), Browser.consoleErrors(browser).toString());
    }
}
