package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Aup;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
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
import java.util.ArrayList;
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

/**
 * The 800x480 touchscreen, measured in Chromium where a newcomer found it broken: every AUP rule on some
 * slide and no slide under the prompt bar, "Read it to me" uncovered, the thank-you (offline, Welsh, with
 * the talk button) above the footer, and the isolation rule in view with eight computers isolated.
 * No broker runs: the hub is offline, the worst case for the thank-you screen.
 */
class KioskLayoutBrowserTest {
    private static final String KEY = "layout-test-follow-up-key-0123456789abcdef";

    @TempDir
    Path dir;

    private ChromeDriver browser;
    private WebDriverWait wait;
    private final List<Hub> hubs = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 800, 480);
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        hubs.forEach(Hub::close);
        http.close();
    }

    private Hub hub(String room, ObjectNode extra) throws Exception {
        ObjectNode h = Stack.hubJson(room, Ports.free(), dir.resolve(room));
        h.putObject("followUp").put("key", KEY);
        extra.fields().forEachRemaining(e -> h.set(e.getKey(), e.getValue()));
        Hub hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());
        hubs.add(hub);
        return hub;
    }

    private void open(Hub hub, int width, int height) {
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, width, height);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#aup-slide li")));
    }

    private long js(String script, Object... args) {
        return ((Number) browser.executeScript(script, args)).longValue();
    }

    private long top(WebElement e) {
        return js("return Math.floor(arguments[0].getBoundingClientRect().top);", e);
    }

    private long bottom(WebElement e) {
        return js("return Math.ceil(arguments[0].getBoundingClientRect().bottom);", e);
    }

    /** True when the element's centre is the element itself (or inside it), not something drawn over it. */
    private boolean uncovered(WebElement e) {
        return (Boolean) browser.executeScript("const r = arguments[0].getBoundingClientRect();"
                + "const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
                + "return r.bottom <= window.innerHeight && hit !== null && arguments[0].contains(hit);", e);
    }

    private void screenshot(String name) throws Exception {
        Browser.screenshot(browser, name);
    }

    /** Fits the screen, every text at least 24 px, and no serious axe-core violation. */
    private void assertNoOverflow(String where) {
        long overflow = js("return document.documentElement.scrollHeight - window.innerHeight;");
        assertTrue(overflow <= 0, where + ": vertical overflow " + overflow);
        assertEquals(0, Browser.horizontalOverflow(browser), where + ": horizontal overflow");
        // Every piece of text on screen is at least 24 px (read from across a classroom).
        Object small = browser.executeScript("const out = [];"
                + "for (const e of document.querySelectorAll('body *')) {"
                + "  const own = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());"
                + "  if (!own || !e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') continue;"
                + "  const px = parseFloat(getComputedStyle(e).fontSize);"
                + "  if (px < 24) out.push(e.tagName + '#' + e.id + ' ' + px + 'px: ' + e.textContent.trim().slice(0, 30));"
                + "} return out;");
        assertEquals(List.of(), small, where + ": text under 24 px");
        assertEquals(List.of(), Browser.accessibilityViolations(browser), where + ": accessibility");
    }

    private static String normalise(String text) {
        return text.replace("**", "").replaceAll("\\s+", " ").strip();
    }

    /** Clicks through every slide; checks each fits above the prompt; returns all the text shown. */
    private String everySlide(String keyStage, int width) throws Exception {
        StringBuilder seen = new StringBuilder();
        String count = browser.findElement(By.id("slide-count")).getText();
        int slides = count.isEmpty() ? 1 : Integer.parseInt(count.split("/")[1].strip());
        WebElement box = browser.findElement(By.id("aup-slide"));
        WebElement prompt = browser.findElement(By.id("prompt"));
        for (int i = 0; i < slides; i++) {
            assertTrue(js("return arguments[0].scrollHeight - arguments[0].clientHeight;", box) <= 1,
                    keyStage + " slide " + (i + 1) + " is cut off at " + width);
            assertTrue(bottom(box) <= top(prompt), keyStage + " slide " + (i + 1) + " runs under the prompt bar");
            seen.append(' ').append(box.getText());
            if (i == 0) {
                screenshot("layout-" + keyStage + "-" + width);
            }
            String before = browser.findElement(By.id("slide-count")).getText();
            box.click();
            if (slides > 1) {
                wait.until(d -> !d.findElement(By.id("slide-count")).getText().equals(before));
            }
        }
        return normalise(seen.toString());
    }

    @Test
    void everyAupRuleIsOnASlideThatFitsAboveThePromptAndReadItToMeIsUncovered() throws Exception {
        for (String keyStage : List.of("eyfs", "ks1", "ks2", "ks3", "ks4")) {
            ObjectNode extra = haven.protocol.Json.object();
            extra.putObject("aup").put("keyStage", keyStage);
            Hub hub = hub("room-" + keyStage, extra);
            for (int[] size : new int[][] {{800, 480}, {1920, 1080}}) {
                open(hub, size[0], size[1]);
                wait.until(d -> !d.findElement(By.id("slide-count")).getText().isEmpty()
                        || d.findElement(By.id("aup-slide")).getText().length() > 0);
                String shown = everySlide(keyStage, size[0]);
                for (String line : Aup.sample(keyStage).markdown().lines().filter(l -> l.startsWith("- ")).toList()) {
                    String rule = normalise(line.substring(2));
                    assertTrue(shown.contains(rule), keyStage + " at " + size[0] + " never shows: " + rule);
                }
                if (keyStage.equals("eyfs") || keyStage.equals("ks1")) {
                    WebElement read = browser.findElement(By.id("read-aloud"));
                    assertTrue(read.isDisplayed() && uncovered(read), "Read it to me is visible and uncovered for " + keyStage);
                }
                assertTrue(uncovered(browser.findElement(By.id("prompt"))), "the prompt is in view");
                assertNoOverflow(keyStage + " idle at " + size[0]);
            }
        }
    }

    private void press(Hub hub) throws Exception {
        assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/sim/button"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    private void click(By by) {
        Browser.click(wait, by);
    }

    @Test
    void theOfflineThankYouKeepsTheKeypadTheTalkButtonAndTheConfirmationAboveTheFooter() throws Exception {
        Hub hub = hub("year6", haven.protocol.Json.object());
        open(hub, 800, 480);
        WebElement footer = browser.findElement(By.tagName("footer"));
        for (String language : List.of("en", "cy", "ar")) {
            if (!language.equals("en")) {
                // The pupil may switch language on the thank-you screen itself, after pressing.
                click(By.id("language-thanks"));
                click(By.cssSelector("#language-list [data-language='" + language + "']"));
                wait.until(d -> d.findElement(By.tagName("html")).getDomAttribute("lang").startsWith(language));
            }
            press(hub);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("saved-note")));
            WebElement ok = browser.findElement(By.cssSelector(".keys button[aria-label]:last-child"));
            WebElement talk = browser.findElement(By.id("talk"));
            screenshot("layout-thanks-offline-" + language + "-800");
            assertTrue(talk.isDisplayed(), "the talk button is offered");
            for (WebElement e : List.of(ok, talk, browser.findElement(By.cssSelector("[data-category='other']")))) {
                assertTrue(bottom(e) <= top(footer) && uncovered(e), language + ": " + e.getText() + " is above the footer");
            }
            assertNoOverflow("offline thank-you in " + language);
            click(By.cssSelector("[data-category='other']"));
            WebElement done = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#detail-done .note")));
            assertTrue(bottom(done) <= top(footer), language + ": the confirmation renders above the footer");
            assertNoOverflow("offline confirmation in " + language);
        }
    }

    @Test
    void withEightComputersIsolatedTheDoNotSwitchItOffRuleStaysOnScreen() throws Exception {
        ObjectNode extra = haven.protocol.Json.object();
        extra.putObject("isolation").put("backend", "manual").put("chooseSeconds", 1);
        var computers = extra.putArray("computers");
        for (int i = 1; i <= 8; i++) {
            computers.addObject().put("name", "PC-0" + i).put("mac", "02:00:5e:00:00:0" + i).put("ip", "10.200.0.1" + i);
        }
        Hub hub = hub("ict-suite", extra);
        open(hub, 800, 480);
        assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/sim/switch"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"on\":true}")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        wait.until(d -> d.findElements(By.cssSelector("#isolated-list li")).size() == 8);
        screenshot("layout-isolated-eight-800");
        WebElement rule = browser.findElement(By.cssSelector("#isolated .rule strong"));
        assertTrue(rule.getText().contains("Do not switch it off"));
        assertTrue(uncovered(rule) && bottom(rule) <= top(browser.findElement(By.tagName("footer"))), "the rule is in view");
        assertTrue(browser.findElement(By.id("isolation-banner")).getText().contains("8 computers"));
        assertNoOverflow("eight isolated");
    }

    private long events(Hub hub, String type, String contains) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + hub.config().database());
             var ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE payload LIKE ? AND payload LIKE ?")) {
            ps.setString(1, "%\"type\":\"" + type + "\"%");
            ps.setString(2, "%" + contains + "%");
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The school's own hub.yaml kiosk.categories replace the key stage's list, in the school's order, and only those are taken. */
    @Test
    void theSchoolsConfiguredCategoriesAreTheOnesThePupilSees() throws Exception {
        ObjectNode own = haven.protocol.Json.object();
        own.putObject("aup").put("keyStage", "ks2");
        own.putObject("kiosk").putArray("categories").add("self-harm").add("about-an-adult").add("other");
        Hub hub = hub("year6", own);
        open(hub, 800, 480);
        press(hub);
        for (int[] size : new int[][] {{800, 480}, {1920, 1080}}) {
            Browser.viewport(browser, size[0], size[1]);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-category='self-harm']")));
            List<WebElement> buttons = browser.findElements(By.cssSelector("#categories button"));
            assertEquals(List.of("self-harm", "about-an-adult", "other"), buttons.stream().map(b -> b.getDomAttribute("data-category")).toList(),
                    "the school's list, in its order, not KS2's five");
            assertEquals(List.of("Self-harm or suicide", "It's about a grown-up", "Something else"),
                    buttons.stream().map(b -> b.findElement(By.className("label")).getText()).toList());
            screenshot("layout-own-categories-" + size[0]);
            assertNoOverflow("the school's own categories at " + size[0]);
        }
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/kiosk/detail"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"category\":\"unkind-online\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), "a KS2 default the school left out is refused: " + refused.body());
        assertTrue(refused.body().contains("kiosk.categories"), refused.body());
        click(By.cssSelector("[data-category='self-harm']"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-done")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> events(hub, "worry.detailed", "\"category\":\"self-harm\"") == 1);
    }

    @Test
    void teenagersGetTheirCategoriesAndEveryPupilSeesWhereElseToTurn() throws Exception {
        ObjectNode ks4 = haven.protocol.Json.object();
        ks4.putObject("aup").put("keyStage", "ks4");
        Hub seniors = hub("year10", ks4);
        open(seniors, 800, 480);
        String idle = browser.findElement(By.id("signposts")).getText();
        assertTrue(idle.contains("0800 1111") && idle.contains("ceop.police.uk"), idle);
        assertTrue(uncovered(browser.findElement(By.id("signposts"))), "the helplines are in view");
        press(seniors);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-category='self-harm']")));
        screenshot("layout-ks4-thanks-800");
        List<WebElement> buttons = browser.findElements(By.cssSelector("#categories button"));
        assertEquals(List.of("unkind-online", "saw-something-upsetting", "stranger-contact", "nudes-or-sextortion", "self-harm",
                "pressure-or-coercion", "extremism", "about-an-adult", "other"),
                buttons.stream().map(b -> b.getDomAttribute("data-category")).toList());
        WebElement footer = browser.findElement(By.tagName("footer"));
        for (WebElement b : buttons) {
            assertTrue(uncovered(b) && bottom(b) <= top(footer), b.getText() + " is on screen");
            assertTrue(js("return arguments[0].scrollHeight - arguments[0].clientHeight;", b) <= 1, b.getText() + " fits its button");
        }
        for (String id : List.of("talk", "computer-toggle", "language-thanks")) {
            assertTrue(uncovered(browser.findElement(By.id(id))), id + " is on screen");
        }
        assertNoOverflow("ks4 thank-you");
        click(By.id("computer-toggle"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".keys button")));
        assertTrue(uncovered(browser.findElement(By.cssSelector(".keys button[aria-label='Send computer number']"))));
        screenshot("layout-ks4-keypad-800");
        assertNoOverflow("ks4 keypad");
        click(By.id("computer-toggle"));
        click(By.cssSelector("[data-category='self-harm']"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail-done")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> events(seniors, "worry.detailed", "\"category\":\"self-harm\"") == 1);

        ObjectNode ks1 = haven.protocol.Json.object();
        ks1.putObject("aup").put("keyStage", "ks1");
        Hub infants = hub("year1", ks1);
        open(infants, 800, 480);
        String young = browser.findElement(By.id("signposts")).getText();
        assertTrue(young.contains("0800 1111") && !young.contains("ceop"), young);
        press(infants);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-category='other']")));
        assertEquals(5, browser.findElements(By.cssSelector("#categories button")).size());
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + infants.kioskPort() + "/api/kiosk/detail"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"category\":\"self-harm\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), "a category this kiosk does not offer is refused: " + refused.body());
    }
}
