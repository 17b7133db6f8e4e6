package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.Totp;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.Ports;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The DSL's first login in a real Chromium with the default config: password, then the enrolment screen
 * (login-totp.js) with the QR code to scan with a phone (read back here with ZXing) and the key to type into an
 * app, a code computed from it as the app would, the recovery codes shown once, then the dashboard. A second
 * login asks only for the code.
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

    /**
     * The QR code is shown (loaded under the dashboard's CSP, img-src data:), is what a phone camera reads as
     * the same otpauth URI as the link (ZXing on the pixels Chromium drew), and fits at 1366 and 390 wide.
     */
    private void enrolmentQrCode(WebDriverWait wait, String uri) throws Exception {
        WebElement qr = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-qr")));
        assertEquals("QR code to scan with your authenticator app", qr.getAttribute("alt"));
        assertTrue(qr.getAttribute("src").startsWith("data:image/svg+xml;base64,"), "an image, never inline markup");
        wait.until(d -> ((Number) browser.executeScript("return arguments[0].complete ? arguments[0].naturalWidth : 0;", qr)).intValue() > 0);
        for (int[] size : new int[][] {{1366, 768}, {390, 844}}) {
            Browser.viewport(browser, size[0], size[1]);
            browser.executeScript("arguments[0].scrollIntoView({block: 'center'});", qr);
            assertTrue(qr.isDisplayed(), "QR code at " + size[0]);
            assertTrue(qr.getSize().getWidth() >= 160, "big enough to scan at " + size[0] + ": " + qr.getSize());
            assertEquals(0, Browser.horizontalOverflow(browser), "no sideways scroll at " + size[0]);
            assertEquals(uri, scanned(qr), "the QR code at " + size[0] + " is the link's URI");
            assertEquals(List.of(), Browser.accessibilityViolations(browser), "enrolment accessibility at " + size[0]);
            Browser.screenshot(browser, "dashboard-totp-enrol-" + size[0]);
        }
        Browser.viewport(browser, 1280, 800);
    }

    /** What a camera pointed at the screen reads: ZXing on the element's own screenshot. */
    private static String scanned(WebElement qr) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(qr.getScreenshotAs(OutputType.BYTES)));
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE)).getText();
    }

    @Test
    void theDslEnrolsOnFirstLoginAndThenTypesACode() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        password(wait);
        String key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-secret"))).getText();
        String uri = browser.findElement(By.id("totp-uri")).getAttribute("href");
        assertTrue(uri.startsWith("otpauth://totp/Haven:dsl?secret="), uri);
        enrolmentQrCode(wait, uri);
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
