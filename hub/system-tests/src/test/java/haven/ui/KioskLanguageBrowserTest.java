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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
        // With the school's follow-up key the thank-you screen offers "I want to talk to someone" too.
        var h = Stack.hubJson("year4", broker.port(), dir);
        h.putObject("followUp").put("key", "test-school-follow-up-key-0123456789abcdef");
        hub = Hub.start(haven.classroom.HubConfig.from(haven.config.ConfigFile.of("test hub", h)), Clock.systemUTC());
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
        // Translations ship as first drafts: each says whether a fluent speaker has checked it (docs/KIOSK.md).
        index.get("languages").forEach(l -> {
            if (!l.get("code").asText().equals("en")) {
                assertTrue(l.path("reviewed").isBoolean(), l.get("code").asText() + " says whether it was reviewed: " + l);
            }
        });
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

    /** A message file's words as the page shows them: its **bold** markers become strong text. */
    private static String plain(JsonNode file, String key) {
        return file.get(key).asText().replace("**", "");
    }

    /** What the pupil reads at key, taken from cy.json, and not what en.json says there. */
    private static String welsh(JsonNode cy, JsonNode en, String key) {
        String words = plain(cy, key);
        assertTrue(!words.equals(plain(en, key)), key + " is Welsh in cy.json, not the English: " + words);
        return words;
    }

    /** No visible element in the shown screen or the footer has text cut off inside its own box. */
    private void assertNothingClipped(String where) {
        Object clipped = browser.executeScript("""
                return Array.from(document.querySelectorAll('.screen:not([hidden]) *, footer *'))
                    .filter(e => e.offsetParent !== null && e.children.length === 0 || e.tagName === 'BUTTON')
                    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
                        || e.scrollHeight > e.clientHeight + 1 && e.clientHeight > 0)
                    .filter(e => getComputedStyle(e).overflow !== 'visible' || e.tagName === 'BUTTON')
                    .map(e => (e.id || e.className || e.tagName) + ': ' + e.textContent.trim());""");
        assertEquals(List.of(), clipped, "text cut off: " + where);
    }

    /** The whole journey, idle to a chosen category, in Welsh words read from cy.json, at the Pi's screen and a large one. */
    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"800,480", "1920,1080"})
    void aWelshPupilReportsInWelsh(int width, int height) throws Exception {
        JsonNode cy = Json.parse(get("/i18n/cy.json").body().getBytes());
        JsonNode en = Json.parse(get("/i18n/en.json").body().getBytes());
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, width, height);
        wait.until(ExpectedConditions.textToBe(By.id("connection"), "Connected"));
        choose("cy");
        String press = welsh(cy, en, "prompt.press");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("prompt"), press));
        assertEquals("cy-GB", browser.findElement(By.tagName("html")).getDomAttribute("lang"));
        assertEquals(welsh(cy, en, "connection.online"), browser.findElement(By.id("connection")).getText());
        assertEquals(welsh(cy, en, "aup.englishOnly"), browser.findElement(By.id("aup-english-only")).getText(),
                "the English AUP is said to be English, in Welsh");
        assertEquals("Cymraeg", browser.findElement(By.id("language")).getText());
        assertEquals(plain(cy, "language.button") + ": Cymraeg", browser.findElement(By.id("language")).getDomAttribute("aria-label"));
        assertTrue(px(By.cssSelector("#prompt [data-i18n]")) >= 24, "prompt text size");
        screenshot("language-cy-idle-" + width);
        assertFitsAndReadable("Welsh idle at " + width);
        assertNothingClipped("Welsh idle at " + width);

        press();
        wait.until(ExpectedConditions.textToBe(By.id("thanks-title"), welsh(cy, en, "thanks.title")));
        String ask = welsh(cy, en, "thanks.askCategory");
        assertEquals(ask, browser.findElement(By.cssSelector("#choose-category .ask")).getText());
        assertEquals(plain(cy, "thanks.categoriesLabel"), browser.findElement(By.id("categories")).getDomAttribute("aria-label"));
        assertEquals(welsh(cy, en, "talk.button"), browser.findElement(By.id("talk")).getText());
        List<WebElement> categories = browser.findElements(By.cssSelector("#categories button"));
        assertEquals(5, categories.size(), "the KS2 list");
        for (WebElement category : categories) {
            String key = "category." + category.getDomAttribute("data-category");
            assertEquals(welsh(cy, en, key), category.findElement(By.className("label")).getText(), key);
            assertTrue(Double.parseDouble(category.getCssValue("font-size").replace("px", "")) >= 24, key + " text size");
        }
        String shown = browser.findElement(By.id("thanks")).getText();
        for (String key : List.of("thanks.title", "thanks.askCategory", "talk.button", "category.other", "category.about-an-adult")) {
            assertTrue(!shown.contains(plain(en, key)), "no English left on the Welsh thank-you screen: " + plain(en, key));
        }
        screenshot("language-cy-thanks-" + width);
        assertFitsAndReadable("Welsh thank-you at " + width);
        assertAboveTheFooter("Welsh thank-you at " + width);
        assertNothingClipped("Welsh thank-you at " + width);

        click(By.cssSelector("[data-category='about-an-adult']"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-done")));
        assertEquals(welsh(cy, en, "thanks.done"), browser.findElement(By.cssSelector("#detail-done .note")).getText());
        assertEquals(welsh(cy, en, "thanks.more"), browser.findElement(By.id("tell-more")).getText());
        assertTrue(!browser.findElement(By.tagName("main")).getText().contains(plain(cy, "category.about-an-adult")),
                "the chosen category is not left on the public screen");
        screenshot("language-cy-chosen-" + width);
        assertFitsAndReadable("Welsh after choosing at " + width);
        assertAboveTheFooter("Welsh after choosing at " + width);
        assertNothingClipped("Welsh after choosing at " + width);
        assertTrue(Json.parse(get("/api/kiosk").body().getBytes()).path("report").path("detailGiven").asBoolean(),
                "the Welsh choice reached the hub");
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
