package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.classroom.Hub;
import haven.demo.EmbeddedBroker;
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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The kiosk in the pupil's language: message files, a Welsh journey and an Arabic (right-to-left) one. */
class KioskLanguageBrowserTest {
    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Hub hub;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        hub = Hub.start(Stack.hub("year4", broker.port(), dir), Clock.systemUTC());
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
        http.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void press() throws Exception {
        assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/sim/button"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    private void click(By by) {
        Browser.click(wait, by);
    }

    private void screenshot(String name) throws Exception {
        Browser.screenshot(browser, name);
    }

    private static Set<String> keys(JsonNode node) {
        Set<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private void choose(String code) {
        click(By.id("language"));
        click(By.cssSelector("#language-list [data-language='" + code + "']"));
    }

    private double px(By by) {
        return Double.parseDouble(browser.findElement(by).getCssValue("font-size").replace("px", ""));
    }

    /** main clips what does not fit, so a page-level overflow check cannot see it: every choice ends above the footer. */
    private void assertAboveTheFooter(String where) {
        Object below = browser.executeScript("""
                const top = document.querySelector('footer').getBoundingClientRect().top;
                return Array.from(document.querySelectorAll('#thanks button')).filter(b => b.offsetParent !== null)
                    .filter(b => b.getBoundingClientRect().bottom > top + 0.5).map(b => b.id || b.textContent);""");
        assertEquals(List.of(), below, "choices hidden under the footer: " + where);
    }

    private void assertFitsAndReadable(String where) {
        assertEquals(0, Browser.horizontalOverflow(browser), "no horizontal overflow: " + where);
        Long overflow = (Long) browser.executeScript("return document.documentElement.scrollHeight - window.innerHeight;");
        assertTrue(overflow <= 0, "no vertical overflow: " + where + " " + overflow);
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "accessibility: " + where);
    }

    @Test
    void everyMessageFileHasEveryEnglishKey() throws Exception {
        JsonNode index = Json.parse(get("/i18n/index.json").body().getBytes());
        Set<String> codes = new TreeSet<>();
        index.get("languages").forEach(l -> codes.add(l.get("code").asText()));
        assertTrue(codes.containsAll(Set.of("en", "cy", "ar", "pl", "ro", "ur", "pa")), codes.toString());
        Set<String> english = keys(Json.parse(get("/i18n/en.json").body().getBytes()));
        for (String code : codes) {
            HttpResponse<String> file = get("/i18n/" + code + ".json");
            assertEquals(200, file.statusCode(), code);
            assertEquals(english, keys(Json.parse(file.body().getBytes())), code + ".json has exactly the English keys");
        }
        index.get("languages").forEach(l -> assertEquals(Set.of("ar", "ur").contains(l.get("code").asText()) ? "rtl" : "ltr",
                l.get("dir").asText(), l.get("code").asText()));
        // kiosk.js carries English for the words it writes itself; they must not drift from en.json.
        String script = get("/kiosk.js").body();
        JsonNode en = Json.parse(get("/i18n/en.json").body().getBytes());
        var builtIn = java.util.regex.Pattern.compile("^    \"([a-z]+\\.[A-Za-z.-]+)\": (\"(?:[^\"\\\\]|\\\\.)*\"),?$", java.util.regex.Pattern.MULTILINE).matcher(script);
        int seen = 0;
        while (builtIn.find()) {
            seen++;
            assertEquals(en.get(builtIn.group(1)).asText(), Json.parse(builtIn.group(2).getBytes()).asText(), builtIn.group(1));
        }
        assertTrue(seen >= 10, "kiosk.js built-in words found: " + seen);
    }

    @Test
    void polishRomanianUrduAndPunjabiPupilsSeeTheirOwnWordsThatFit() throws Exception {
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, 800, 480);
        wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
        click(By.id("language"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#language-list [data-language='pa']")));
        screenshot("language-list-800");
        assertFitsAndReadable("the language list with seven languages");
        click(By.cssSelector("#language-list [data-language='en']"));
        String[][] expected = {{"pl", "naciśnij przycisk", "ltr"}, {"ro", "apasă butonul", "ltr"}, {"ur", "بٹن دبائیں", "rtl"},
                {"pa", "ਬਟਨ ਦਬਾਓ", "ltr"}};
        for (String[] language : expected) {
            choose(language[0]);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("prompt"), language[1]));
            assertEquals(language[2], browser.findElement(By.tagName("html")).getDomAttribute("dir"), language[0]);
            assertFitsAndReadable(language[0] + " idle");
            assertEquals(Boolean.TRUE, browser.executeScript(
                    "const b = document.getElementById('aup-slide'); return b.scrollHeight <= b.clientHeight + 1;"),
                    "the AUP slide is cut again for " + language[0] + "'s text size, nothing clipped");
            screenshot("language-" + language[0] + "-idle-800");
        }
        press();
        wait.until(ExpectedConditions.textToBe(By.id("thanks-title"), "ਧੰਨਵਾਦ। ਤੁਸੀਂ ਸਹੀ ਕੰਮ ਕੀਤਾ।"));
        screenshot("language-pa-thanks-800");
        assertFitsAndReadable("Punjabi thank-you");
        assertAboveTheFooter("Punjabi thank-you");
        click(By.id("language-thanks"));
        click(By.cssSelector("#language-list [data-language='ur']"));
        wait.until(ExpectedConditions.textToBe(By.id("thanks-title"), "شکریہ۔ آپ نے صحیح کام کیا۔"));
        screenshot("language-ur-thanks-800");
        assertFitsAndReadable("Urdu thank-you");
        assertAboveTheFooter("Urdu thank-you");
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }

    @Test
    void aWelshPupilReportsInWelsh() throws Exception {
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, 800, 480);
        wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
        choose("cy");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("prompt"), "pwysa'r botwm"));
        assertEquals("cy-GB", browser.findElement(By.tagName("html")).getDomAttribute("lang"));
        assertEquals("Wedi cysylltu", browser.findElement(By.id("connection")).getText());
        assertFitsAndReadable("Welsh idle");
        press();
        wait.until(ExpectedConditions.textToBe(By.id("thanks-title"), "Diolch. Rwyt ti wedi gwneud y peth iawn."));
        assertEquals("Mae'n ymwneud ag oedolyn", browser.findElement(By.cssSelector("[data-category='about-an-adult']")).getText().substring(1).strip());
        assertTrue(px(By.cssSelector("[data-category='stranger-contact']")) >= 24);
        screenshot("language-cy-thanks-800");
        assertFitsAndReadable("Welsh thank-you");
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }

    @Test
    void anArabicPupilGetsARightToLeftScreenAtBothSizes() throws Exception {
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, 800, 480);
        wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
        choose("ar");
        wait.until(ExpectedConditions.attributeToBe(By.tagName("html"), "dir", "rtl"));
        assertEquals("ar", browser.findElement(By.tagName("html")).getDomAttribute("lang"));
        press();
        WebElement title = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("thanks-title")));
        wait.until(ExpectedConditions.textToBe(By.id("thanks-title"), "شكرًا لك. لقد فعلت الصواب."));
        assertEquals("rtl", title.getCssValue("direction"));
        for (int[] size : new int[][] {{800, 480}, {1920, 1080}}) {
            Browser.viewport(browser, size[0], size[1]);
            WebElement first = browser.findElement(By.cssSelector("[data-category='unkind-online']"));
            long right = (Long) browser.executeScript("return Math.round(arguments[0].getBoundingClientRect().right);", first);
            assertTrue(right > size[0] / 2, "the categories start on the right in Arabic: right edge " + right);
            assertTrue(px(By.id("thanks-title")) >= 24 && px(By.cssSelector("[data-category='other']")) >= 24);
            screenshot("language-ar-thanks-" + size[0]);
            assertFitsAndReadable("Arabic thank-you at " + size[0]);
        }
        assertEquals("ltr", browser.findElement(By.id("isolated")).getDomAttribute("dir"),
                "the teacher's isolation instructions stay in the staff's language");
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }
}
