package haven.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and chromedriver, headless. Selenium Manager is never used (downloading a browser
 * does not work here). Missing binaries skip the test on a developer machine and fail it in CI.
 */
public final class Browser {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Browser() {
    }

    /** Console messages at SEVERE level (errors) the page has logged so far. */
    /** Clicks what {@code by} finds once it is there, again if the page re-rendered it under the click. */
    public static void click(org.openqa.selenium.support.ui.WebDriverWait wait, org.openqa.selenium.By by) {
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    /** A screenshot kept under the module's target/screenshots, for a person to look at after the run. */
    public static void screenshot(ChromeDriver driver, String name) throws java.io.IOException {
        Path out = Path.of("target", "screenshots");
        Files.createDirectories(out);
        Files.write(out.resolve(name + ".png"), driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
    }

    public static java.util.List<String> consoleErrors(ChromeDriver driver) {
        return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(org.openqa.selenium.logging.LogEntry::getMessage).toList();
    }

    /** Serious and critical axe-core violations (WCAG 2.x A and AA rules) on the current page. */
    public static java.util.List<String> accessibilityViolations(ChromeDriver driver) {
        var results = new com.deque.html.axecore.selenium.AxeBuilder()
                .withTags(java.util.List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")).analyze(driver);
        return results.getViolations().stream()
                .filter(v -> "serious".equals(v.getImpact()) || "critical".equals(v.getImpact()))
                .map(v -> v.getId() + ": " + v.getHelp() + " " + v.getNodes().stream().map(n -> String.valueOf(n.getTarget())).toList())
                .toList();
    }

    /** Horizontal overflow in CSS pixels (0 when the page fits its width). */
    public static long horizontalOverflow(ChromeDriver driver) {
        return (Long) driver.executeScript("return Math.max(0, document.documentElement.scrollWidth - window.innerWidth);");
    }

    /** Resizes so the page's viewport (not the window) is width x height. */
    public static void viewport(ChromeDriver driver, int width, int height) {
        long chromeHeight = (Long) driver.executeScript("return window.outerHeight - window.innerHeight;");
        long chromeWidth = (Long) driver.executeScript("return window.outerWidth - window.innerWidth;");
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(width + (int) chromeWidth, height + (int) chromeHeight));
    }

    public static ChromeDriver start(Path profileDir, int width, int height) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            String why = "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run installs them");
            }
            Assumptions.abort(why);
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=" + width + "," + height, "--user-data-dir=" + profileDir.toAbsolutePath());
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        return new ChromeDriver(service, options);
    }
}
