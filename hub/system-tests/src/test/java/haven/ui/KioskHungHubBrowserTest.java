package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.ChildJvm;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A hub that hangs (here: SIGSTOP on its own JVM) keeps the kiosk's socket open, so the screen has to
 * notice by itself that nobody answers, and say so; when the hub runs again the prompt comes back.
 */
class KioskHungHubBrowserTest {
    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private ChildJvm hub;
    private ChromeDriver browser;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 800, 480);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            signal("CONT");
            hub.close();
        }
        broker.close();
        http.close();
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(hub.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name);
    }

    private boolean healthy(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aHungHubIsShownAsNotWorkingAndThePromptComesBackWhenItRunsAgain() throws Exception {
        int kioskPort = Ports.free();
        ObjectNode h = Stack.hubJson("year3", broker.port(), dir.resolve("hub"));
        h.with("http").put("port", kioskPort);
        Path config = dir.resolve("hub.yaml");
        Files.writeString(config, Json.write(h)); // JSON is YAML
        hub = ChildJvm.haven(dir.resolve("hub.log"), "hub", "--config", config.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> healthy(kioskPort));

        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get("http://127.0.0.1:" + kioskPort + "/");
        Browser.viewport(browser, 800, 480);
        // A child JVM on a busy machine can take a while to reach the broker; only then is the baseline set.
        new WebDriverWait(browser, Duration.ofSeconds(90)).until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));

        signal("STOP");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("down-prompt")));
        Files.createDirectories(Path.of("target", "screenshots"));
        Files.write(Path.of("target", "screenshots", "hung-hub-800.png"), browser.getScreenshotAs(OutputType.BYTES));
        assertTrue(browser.findElement(By.id("connection")).getText().contains("Not working"));
        assertTrue(!browser.findElement(By.id("prompt")).isDisplayed(), "no invitation to press a button nobody reads");
        assertEquals(java.util.List.of(), Browser.accessibilityViolations(browser), "accessibility: hub hung");

        signal("CONT");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("prompt")));
        assertTrue(!browser.findElement(By.id("down-prompt")).isDisplayed());
        assertEquals(java.util.List.of(), Browser.accessibilityViolations(browser), "accessibility: hub running again");
    }
}
