package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.coordinator.Role;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.School;
import haven.testkit.StaffClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The AUP in the language the pupil chose with the language button, on the 800x480 touchscreen: Welsh when
 * the school published it, English with a note (in the pupil's language) when it did not. Real coordinator,
 * broker, hub and Chromium.
 */
class KioskAupLanguageBrowserTest {
    @TempDir
    Path dir;

    @Test
    void thePupilsLanguageShowsItsAupOrEnglishWithANote() throws Exception {
        try (School school = School.start(dir)) {
            Hub hub = school.hub("year4");
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
            school.staff("dsl", Role.COORDINATOR);
            try (StaffClient dsl = new StaffClient(school.coordinator().httpPort())) {
                dsl.login("dsl", School.PASSWORD);
                ObjectNode welsh = Json.object().put("keyStage", "ks2").put("language", "cy")
                        .put("markdown", "# Ein rheolau ar-lein\n\n## Bod yn garedig\n\n- Bydd yn garedig ar-lein.\n- Dyweda wrth oedolyn.\n");
                assertEquals(200, dsl.post("/api/aups", Json.write(welsh)).statusCode());
            }
            try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
                var state = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/kiosk")).build();
                await().atMost(Duration.ofSeconds(10)).until(() -> Json.parse(http.send(state,
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body().getBytes()).path("aupLanguages").has("cy"));
            }
            Files.createDirectories(dir.resolve("chrome"));
            ChromeDriver browser = Browser.start(dir.resolve("chrome"), 800, 480);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
                browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
                Browser.viewport(browser, 800, 480);
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#aup-slide li")));
                String english = browser.findElement(By.id("aup-title")).getText();

                Browser.click(wait, By.id("language"));
                Browser.click(wait, By.cssSelector("#language-list button[data-language='cy']"));
                wait.until(ExpectedConditions.textToBe(By.id("aup-title"), "Ein rheolau ar-lein"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("aup-slide"), "Bydd yn garedig"));
                assertTrue(!browser.findElement(By.id("aup-english-only")).isDisplayed(), "Welsh has its own AUP: no note");
                assertEquals("cy-GB", browser.findElement(By.id("aup-slide")).getDomAttribute("lang"));
                Browser.screenshot(browser, "kiosk-aup-welsh-800");
                Long overflow = (Long) browser.executeScript("return document.documentElement.scrollHeight - window.innerHeight;");
                assertTrue(overflow <= 0, "the Welsh AUP fits 800x480, overflow " + overflow);

                Browser.click(wait, By.id("language"));
                Browser.click(wait, By.cssSelector("#language-list button[data-language='ar']"));
                wait.until(ExpectedConditions.textToBe(By.id("aup-title"), english));
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("aup-english-only")));
                assertTrue(browser.findElement(By.id("aup-english-only")).getText().contains("بالإنجليزية"),
                        "the note is in the pupil's language: " + browser.findElement(By.id("aup-english-only")).getText());
                double notePx = Double.parseDouble(browser.findElement(By.id("aup-english-only")).getCssValue("font-size").replace("px", ""));
                assertTrue(notePx >= 24, "every kiosk text is at least 24 px, the note was " + notePx);
                assertEquals("ltr", browser.findElement(By.id("aup-slide")).getDomAttribute("dir"), "English stays left to right");
                assertEquals("rtl", browser.findElement(By.tagName("html")).getDomAttribute("dir"));
                Browser.screenshot(browser, "kiosk-aup-english-fallback-ar-800");
                overflow = (Long) browser.executeScript("return document.documentElement.scrollHeight - window.innerHeight;");
                assertTrue(overflow <= 0, "the fallback with its note fits 800x480, overflow " + overflow);
                assertEquals(List.of(), Browser.accessibilityViolations(browser), "fallback AUP accessibility");
            } finally {
                browser.quit();
            }
        }
    }
}
