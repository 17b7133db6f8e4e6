package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.testkit.Browser;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * "Read it to me" offline: the kiosk asks its hub for the slide's audio, which espeak-ng renders on the
 * Pi; no network, no browser voice needed. No broker runs here: the hub is offline.
 */
class KioskReadAloudBrowserTest {
    @TempDir
    Path dir;

    private Hub hub;
    private ChromeDriver browser;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/espeak-ng"))) {
            if ("true".equals(System.getenv("CI"))) {
                fail("needs Debian's espeak-ng (/usr/bin/espeak-ng); .ci/run installs it");
            }
            Assumptions.abort("needs Debian's espeak-ng");
        }
        ObjectNode h = Stack.hubJson("reception", Ports.free(), dir);
        h.putObject("aup").put("keyStage", "eyfs");
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
        http.close();
    }

    private HttpResponse<byte[]> speech(String text, String lang) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + "/api/kiosk/speech?lang=" + lang
                + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void readItToMePlaysTheSlideRenderedOnTheHub() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        browser.get("http://127.0.0.1:" + hub.kioskPort() + "/");
        Browser.viewport(browser, 800, 480);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#aup-slide li")));
        long voices = ((Number) browser.executeScript("return speechSynthesis.getVoices().length;")).longValue();
        System.out.println("read-aloud measurement: headless Chromium offline voices=" + voices);

        wait.until(ExpectedConditions.elementToBeClickable(By.id("read-aloud"))).click();
        wait.until(d -> ((Number) ((ChromeDriver) d).executeScript(
                "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/kiosk/speech')"
                        + " && e.responseStatus === 200 && e.transferSize > 1000).length;")).longValue() > 0);

        String slide = (String) browser.executeScript(
                "return Array.from(document.querySelectorAll('#aup-slide h2, #aup-slide li')).map(e => e.textContent).join('. ');");
        HttpResponse<byte[]> wav = speech(slide, "en");
        assertEquals(200, wav.statusCode());
        assertEquals("audio/wav", wav.headers().firstValue("Content-Type").orElse(""));
        try (AudioInputStream audio = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav.body()))) {
            double seconds = audio.getFrameLength() / (double) audio.getFormat().getFrameRate();
            assertTrue(seconds > 1.5, "the slide is spoken, not a click: " + seconds + " s");
        }
        assertEquals(200, speech("Diolch. Rwyt ti wedi gwneud y peth iawn.", "cy").statusCode(), "Welsh voice");
        // A translated AUP is read in its own voice, not the English one (issue #19: every message-file language).
        String polish = "Dziękuję. Dobrze zrobiłeś, że nam powiedziałeś.";
        HttpResponse<byte[]> inPolish = speech(polish, "pl");
        assertEquals(200, inPolish.statusCode(), "Polish voice");
        assertTrue(!java.util.Arrays.equals(inPolish.body(), speech(polish, "en").body()), "the Polish voice, not English reading Polish");
        for (String lang : java.util.List.of("ro", "ur", "pa")) {
            assertEquals(200, speech("Multumesc", lang).statusCode(), lang + " voice");
        }
        assertEquals(400, speech("x".repeat(1_001), "en").statusCode(), "bounded text");
        assertEquals(400, speech("hello", "xx").statusCode(), "known voices only");
        assertEquals(400, speech("-w /tmp/owned.wav", "de").statusCode());
        assertEquals(200, speech("--stdout -w /tmp/haven-read-aloud-probe.wav", "en").statusCode(),
                "text that looks like options is only spoken (stdin, no argv)");
        assertTrue(!Files.exists(Path.of("/tmp/haven-read-aloud-probe.wav")));
    }
}
