package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.protocol.Command;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/** Discreet mode (kiosk.mode: discreet) in real Chromium: the room sees as little as possible. */
class KioskDiscreetBrowserTest {
    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Hub hub;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        ObjectNode h = Stack.hubJson("year9", broker.port(), dir);
        h.putObject("kiosk").put("mode", "discreet");
        h.putObject("aup").put("keyStage", "ks3");
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());
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
        broker.close();
    }

    private void press() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/sim/button"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

    private void click(By by) {
        Browser.click(wait, by);
    }

    private void screenshot(String name) throws Exception {
        Browser.screenshot(browser, name);
    }

    private String screenText() {
        return browser.findElement(By.tagName("body")).getText();
    }

    /**
     * The words of every category the kiosk can show, read from its English message file (this hub is KS3,
     * where "about an adult" is worded for teenagers), so the check cannot pass by looking for the wrong label.
     */
    private List<String> categoryLabels() throws Exception {
        try (var in = getClass().getResourceAsStream("/haven-ui/kiosk/i18n/en.json")) {
            var messages = Json.parse(in.readAllBytes());
            List<String> labels = new java.util.ArrayList<>();
            messages.properties().forEach(e -> {
                if (e.getKey().startsWith("category.")) {
                    labels.add(e.getValue().asText());
                }
            });
            assertTrue(labels.contains("About an adult"), "the KS3 wording is among them: " + labels);
            return labels;
        }
    }

    private void assertNoCategoryWords(String why) {
        String text = screenText();
        try {
            for (String label : categoryLabels()) {
                assertFalse(text.contains(label), why + ": '" + label + "' is on screen: " + text);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The checks hold on the Pi's 800x480 screen and on a large classroom display alike. */
    private void atBothSizes(Runnable check) {
        for (int[] size : new int[][] {{1920, 1080}, {800, 480}}) {
            Browser.viewport(browser, size[0], size[1]);
            check.run();
        }
    }

    @Test
    void thePressIsOneNeutralLineTheCategoryIsNeverShownAfterChoiceAndTheAcknowledgementIsTheLed() throws Exception {
        for (int[] size : new int[][] {{1920, 1080}, {800, 480}}) {
            browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
            Browser.viewport(browser, size[0], size[1]);
            wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#aup-slide li")));
        }
        press();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("discreet-done")));
        screenshot("discreet-after-press-800");
        assertTrue(browser.findElement(By.id("idle")).isDisplayed(), "the AUP stays on screen");
        assertFalse(browser.findElement(By.id("thanks")).isDisplayed(), "no thank-you screen for the room");
        atBothSizes(() -> assertNoCategoryWords("no category screen unless asked"));
        double px = Double.parseDouble(browser.findElement(By.id("discreet-done")).getCssValue("font-size").replace("px", ""));
        assertTrue(px >= 24, "the confirmation is at least 24 px: " + px);
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "discreet confirmation accessibility");
        assertEquals(0, Browser.horizontalOverflow(browser));

        click(By.id("discreet-more"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-category='about-an-adult']")));
        assertTrue(screenText().contains("About an adult"), "asked for, the choices show (so the checks above can see them): " + screenText());
        click(By.cssSelector("[data-category='about-an-adult']"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("thanks")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("discreet-done")));
        screenshot("discreet-after-choice-800");
        atBothSizes(() -> assertNoCategoryWords("the chosen category is not rendered"));
        assertEquals(0, browser.findElements(By.cssSelector("[aria-pressed='true']")).size());

        String report = hub.classroom().view().get("report").get("id").asText();
        var args = Json.object();
        args.put("report", report);
        Command ack = new Command("c1", Instant.now(), CommandName.ACK, "coordinator", "dsl", args);
        hub.classroom().apply(Command.decode("haven/v1/test-school/year9/cmd/ack", ack.encode()));
        assertFalse(hub.leds().isReportPending(), "the amber LED going out is the acknowledgement");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("discreet-done")));
        screenshot("discreet-after-ack-800");
        assertFalse(browser.findElement(By.id("acknowledged")).isDisplayed());
        atBothSizes(() -> assertFalse(screenText().contains("trusted adult has seen"), "no sentence after acknowledgement: " + screenText()));
        assertTrue(browser.findElement(By.id("idle")).isDisplayed());
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }
}
