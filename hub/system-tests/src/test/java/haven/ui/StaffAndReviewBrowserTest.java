package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.cli.HavenCli;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.evidence.EvidenceCheck;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.testkit.Browser;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The coordinator's staff page and the two-senior illegal-content review (docs/DASHBOARD.md), in real headless
 * Chromium against a real coordinator: the DSL adds a teacher with rooms, changes the role and disables the
 * account while the teacher's own dashboard is open (it is signed out at once); two senior members of staff, each
 * in their own browser, review a suspected-illegal concern, and the case bundle downloads and verifies. Both at a
 * laptop's and a phone's width, with axe-core, no overflow and no console errors.
 */
class StaffAndReviewBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String TEACHER_PASSWORD = "maple-kettle-orbit-74";
    private static final int[][] SIZES = {{1366, 768}, {390, 844}};

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private int httpPort;
    private Coordinator coordinator;
    private final List<ChromeDriver> browsers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        httpPort = Ports.free();
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("clientId", "staff-ui-" + Long.toHexString(System.nanoTime()));
        c.putObject("http").put("host", "127.0.0.1").put("port", httpPort);
        c.put("database", dir.resolve("coordinator.db").toString());
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorBrowserTest
        c.putObject("rooms").put("year3-oak", "Year 3 Oak");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test coordinator", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("slt", Role.SENIOR, PASSWORD.toCharArray());
        coordinator.staff().put("head", Role.HEAD, PASSWORD.toCharArray());
    }

    @AfterEach
    void stop() {
        browsers.forEach(ChromeDriver::quit);
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private ChromeDriver browser(String profile) throws Exception {
        Path p = dir.resolve("chrome-" + profile);
        Files.createDirectories(p);
        ChromeDriver b = Browser.start(p, 1366, 768);
        browsers.add(b);
        return b;
    }

    private String base() {
        return "http://127.0.0.1:" + httpPort + "/";
    }

    private static WebDriverWait waitOn(ChromeDriver b) {
        return new WebDriverWait(b, Duration.ofSeconds(20));
    }

    private void login(ChromeDriver b, String name, String password) {
        b.get(base());
        WebDriverWait wait = waitOn(b);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys(name);
        b.findElement(By.id("password")).sendKeys(password);
        b.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
    }

    private void open(ChromeDriver b, String page) {
        boolean there = b.getCurrentUrl().equals(base() + "#/" + page);
        b.get(base() + "#/" + page);
        if (there) {
            b.navigate().refresh();
        }
        waitOn(b).until(ExpectedConditions.visibilityOfElementLocated(By.id("page-" + page.replaceAll("/.*", ""))));
    }

    private static void checkLayout(ChromeDriver b, String what, int width) {
        assertEquals(0, Browser.horizontalOverflow(b), what + ": no horizontal overflow at " + width);
        assertEquals(List.of(), Browser.accessibilityViolations(b), what + ": accessibility at " + width);
        // The refusals this journey asks for on purpose (a taken name, disabling oneself) are 409s Chromium logs.
        assertEquals(List.of(), Browser.consoleErrors(b).stream().filter(e -> !e.contains("409 (Conflict)")).toList(),
                what + ": no console errors at " + width);
    }

    private static WebElement row(ChromeDriver b, String name) {
        return waitOn(b).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#staff-accounts-table tr[data-account='" + name + "']")));
    }

    private static void say(ChromeDriver b, String id, String text) {
        WebElement e = b.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    @Test
    void theCoordinatorAddsATeacherChangesTheRoleAndDisablesItAndTheTeachersOpenDashboardIsSignedOut() throws Exception {
        ChromeDriver dsl = browser("dsl");
        WebDriverWait wait = waitOn(dsl);
        int n = 0;
        for (int[] size : SIZES) {
            n++;
            String teacher = "mr-patel" + n;
            Browser.viewport(dsl, size[0], size[1]);
            login(dsl, "dsl", PASSWORD);
            open(dsl, "staff");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("staff-accounts")));
            row(dsl, "slt");
            say(dsl, "staff-add-name", teacher);
            new Select(dsl.findElement(By.id("staff-add-role"))).selectByValue("teacher");
            say(dsl, "staff-add-rooms", "test-school/year3-oak");
            say(dsl, "staff-add-password", TEACHER_PASSWORD);
            Browser.click(wait, By.id("staff-add-button"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("staff-result"), "Added " + teacher));
            String added = row(dsl, teacher).getText();
            assertTrue(added.contains("Teacher") && added.contains("test-school/year3-oak") && added.contains("Never")
                    && added.contains("Not set up"), added);
            Browser.screenshot(dsl, "dashboard-staff-" + size[0]);
            checkLayout(dsl, "staff page", size[0]);

            // The same name again is refused and changes nothing.
            say(dsl, "staff-add-name", teacher);
            new Select(dsl.findElement(By.id("staff-add-role"))).selectByValue("coordinator");
            say(dsl, "staff-add-password", "another-long-passphrase");
            Browser.click(wait, By.id("staff-add-button"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("staff-result"), "already a staff account called '" + teacher + "'"));
            assertTrue(row(dsl, teacher).getText().contains("Teacher"));

            // The teacher's own dashboard, open in another browser.
            ChromeDriver patel = browser("teacher" + n);
            login(patel, teacher, TEACHER_PASSWORD);
            waitOn(patel).until(ExpectedConditions.textToBe(By.id("live"), "live"));
            assertTrue(patel.findElement(By.id("who")).getText().contains("teacher"));

            new Select(dsl.findElement(By.id("role-" + teacher))).selectByValue("senior");
            Browser.click(wait, By.cssSelector("tr[data-account='" + teacher + "'] .role-form button"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("staff-result"), teacher + " is now Senior leader"));
            waitOn(patel).until(ExpectedConditions.visibilityOfElementLocated(By.id("session-ended")));
            login(patel, teacher, TEACHER_PASSWORD);
            assertTrue(patel.findElement(By.id("who")).getText().contains("senior"), "the new role applies at the next sign-in");
            waitOn(patel).until(ExpectedConditions.textToBe(By.id("live"), "live"));

            Browser.click(wait, By.cssSelector("tr[data-account='" + teacher + "'] button.disable"));
            Browser.click(wait, By.cssSelector("tr[data-account='" + teacher + "'] button.disable-confirm"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("staff-result"), teacher + " is disabled"));
            WebElement ended = waitOn(patel).until(ExpectedConditions.visibilityOfElementLocated(By.id("session-ended")));
            assertTrue(patel.findElement(By.id("login-panel")).isDisplayed(), "signed out: " + ended.getText());
            assertTrue(row(dsl, teacher).getText().contains("Disabled"));
            assertTrue(row(dsl, teacher).findElements(By.cssSelector("button")).isEmpty(), "a disabled account has no controls");

            // The coordinator's own row: disabling oneself is refused, saying why.
            Browser.click(wait, By.cssSelector("tr[data-account='dsl'] button.disable"));
            Browser.click(wait, By.cssSelector("tr[data-account='dsl'] button.disable-confirm"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("staff-result"), "cannot disable your own account"));
            checkLayout(dsl, "staff page after changes", size[0]);
            Browser.click(wait, By.id("logout"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-panel")));
        }
        // The head sees the sign-ins but not the account controls.
        login(dsl, "head", PASSWORD);
        open(dsl, "staff");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("staff-table")));
        assertFalse(dsl.findElement(By.id("staff-accounts")).isDisplayed(), "manage-staff is the coordinator's alone");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file())) {
            var check = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(check.intact(), check.toString());
        }
    }

    private long suspectedIllegalConcern() throws Exception {
        try (StaffClient dsl = new StaffClient(httpPort)) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            HttpResponse<String> answer = dsl.post("/api/concerns", Json.write(Json.object().put("room", "outside-school")
                    .put("category", "saw-something-upsetting").put("summary", "a link shared in a group chat").put("about", "pupil")
                    .put("url", "https://example.invalid/shared").put("illegal", "other-suspected-illegal")));
            assertEquals(201, answer.statusCode(), answer.body());
            return Json.parse(answer.body().getBytes()).get("id").asLong();
        }
    }

    private static void recordPart(ChromeDriver b, String judgement) {
        WebDriverWait wait = waitOn(b);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("review-form")));
        say(b, "review-computer", "dsl-office-laptop");
        say(b, "review-nature", "an indecent image of an adult, described not kept");
        Browser.click(wait, By.id("review-judgement-" + judgement));
        Browser.click(wait, By.id("review-action-police"));
        Browser.click(wait, By.id("review-button"));
    }

    @Test
    void twoSeniorStaffInTheirOwnBrowsersReviewSuspectedIllegalContentAndTheBundleDownloadsAndVerifies() throws Exception {
        for (int[] size : SIZES) {
            long id = suspectedIllegalConcern();
            ChromeDriver dsl = browser("dsl-" + size[0]);
            ChromeDriver slt = browser("slt-" + size[0]);
            Path downloads = Files.createDirectories(dir.resolve("downloads-" + size[0]));
            dsl.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
            for (ChromeDriver b : List.of(dsl, slt)) {
                Browser.viewport(b, size[0], size[1]);
            }
            login(dsl, "dsl", PASSWORD);
            open(dsl, "incident/" + id);
            WebDriverWait dslWait = waitOn(dsl);
            dslWait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-status"), "Not reviewed yet"));
            assertEquals("https://example.invalid/shared", dsl.findElement(By.id("review-urls")).getAttribute("value"),
                    "the concern's URL is offered");
            Browser.screenshot(dsl, "dashboard-review-form-" + size[0]);
            checkLayout(dsl, "review form", size[0]);
            recordPart(dsl, "substance");
            dslWait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-status"), "Reviewed so far by dsl"));
            assertTrue(dsl.findElement(By.id("review-status")).getText().contains("Still needed: 1 more senior reviewer"));
            assertTrue(dsl.findElements(By.id("review-form")).isEmpty(), "the same person does not review twice");
            assertTrue(dsl.findElements(By.id("review-bundle")).isEmpty(), "no bundle link before the review is complete");

            login(slt, "slt", PASSWORD);
            open(slt, "incident/" + id);
            WebDriverWait sltWait = waitOn(slt);
            sltWait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-status"), "Reviewed so far by dsl"));
            assertEquals("Record my part and complete the review", slt.findElement(By.id("review-button")).getText());
            recordPart(slt, "substance");
            sltWait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-status"), "Review complete"));
            assertTrue(slt.findElement(By.id("review-status")).getText().contains("dsl and slt"));
            Browser.screenshot(slt, "dashboard-review-complete-" + size[0]);
            checkLayout(slt, "completed review", size[0]);

            open(dsl, "incident/" + id);
            dslWait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-status"), "Review complete"));
            Browser.click(dslWait, By.id("review-bundle"));
            await().atMost(Duration.ofSeconds(20)).until(() -> zip(downloads).isPresent());
            Path bundle = zip(downloads).orElseThrow();
            assertEquals(0, HavenCli.run("verify-bundle", bundle.toString()), "the downloaded bundle verifies");
            for (ChromeDriver b : List.of(dsl, slt)) {
                b.quit();
                browsers.remove(b);
            }
        }
    }

    private static Optional<Path> zip(Path downloads) throws Exception {
        try (var files = Files.list(downloads)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".zip")).findFirst();
        }
    }
}
