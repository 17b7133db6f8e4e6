package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Permission;
import haven.coordinator.Permissions;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.testkit.Browser;
import haven.testkit.Ports;
import haven.testkit.Stack;
import haven.testkit.StaffClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's pages (docs/DASHBOARD.md) in real headless Chromium against the real stack: the incident
 * list and its search, the incident page in plain English, en-GB 24-hour times and room names, the phone and
 * laptop layouts (axe-core, overflow, console), honest live state, the report chart, the controls each role's
 * permissions allow, and the classrooms page's button test.
 */
class DashboardPagesBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String SITE = "test-school";
    private static final int[][] SIZES = {{1366, 768}, {390, 844}};

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private int httpPort;
    private Coordinator coordinator;
    private Hub hub;
    private ChromeDriver browser;
    private WebDriverWait wait;

    private CoordinatorConfig config(int ackWithinMinutes) {
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("keepAliveSeconds", 2)
                .put("clientId", "coordinator-" + Long.toHexString(System.nanoTime()));
        c.putObject("http").put("host", "127.0.0.1").put("port", httpPort);
        c.put("database", dir.resolve("coordinator.db").toString());
        haven.testkit.Stack.testSigningKey(c, dir);
        c.putObject("ingest").put("repairSeconds", 1);
        c.putObject("escalation").put("ackWithinMinutes", ackWithinMinutes);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.putObject("rooms").put("year3-oak", "Year 3 Oak");
        return CoordinatorConfig.from(ConfigFile.of("test coordinator", c));
    }

    private void startStack(int ackWithinMinutes) throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        httpPort = Ports.free();
        coordinator = Coordinator.start(config(ackWithinMinutes), Clock.systemUTC());
        for (Role role : Role.values()) {
            coordinator.staff().put(role.wire() + "1", role, PASSWORD.toCharArray());
        }
        coordinator.staff().assignRooms("teacher1", Set.of(new RoomId(SITE, "year3-oak")));
        hub = Hub.start(Stack.hub("year3-oak", broker.port(), dir.resolve("hub")), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.mqtt().isSubscribed());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1366, 768);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @BeforeEach
    void prepare() throws Exception {
        Files.createDirectories(dir.resolve("hub"));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private String base() {
        return "http://127.0.0.1:" + httpPort + "/";
    }

    private void press() throws Exception {
        assertEquals(202, kiosk("/api/sim/button", null).statusCode());
    }

    private HttpResponse<String> kiosk(String path, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path))
                    .header("Content-Type", "application/json")
                    .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private void login(String name) {
        browser.get(base());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys(name);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
    }

    private void logout() {
        Browser.click(wait, By.id("logout"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-panel")));
    }

    private void open(String page) {
        boolean there = browser.getCurrentUrl().equals(base() + "#/" + page);
        browser.get(base() + "#/" + page);
        if (there) {
            browser.navigate().refresh(); // the same hash loads nothing new
        }
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("page-" + page.replaceAll("/.*", ""))));
    }

    private void checkLayout(String what, int width) throws Exception {
        assertEquals(0, Browser.horizontalOverflow(browser), what + ": no horizontal overflow at " + width);
        assertEquals(List.of(), Browser.accessibilityViolations(browser), what + ": accessibility at " + width);
        assertEquals(List.of(), Browser.consoleErrors(browser), what + ": no console errors at " + width);
    }

    private long logged(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long openIncidentId(StaffClient dsl) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").size() > 0);
        return Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
    }

    /** One closed incident with notes, and one open one, in the room named "Year 3 Oak". */
    private void closedAndOpenIncidents() throws Exception {
        try (StaffClient dsl = new StaffClient(httpPort)) {
            dsl.login("coordinator1", PASSWORD);
            press();
            long first = openIncidentId(dsl);
            assertEquals(200, kiosk("/api/kiosk/detail", "{\"category\":\"unkind-online\"}").statusCode());
            await().atMost(Duration.ofSeconds(20)).until(() -> logged("SELECT count(*) FROM events WHERE type = 'worry.detailed'") == 1);
            assertEquals(200, dsl.post("/api/incidents/" + first + "/ack", "{}").statusCode());
            assertEquals(200, dsl.post("/api/incidents/" + first + "/close", Json.write(Json.object()
                    .put("outcome", "referred-to-dsl").put("notes", "Unkind messages in the class group chat; parents met"))).statusCode());
            // A press before the hub has the acknowledgement joins the old report (Classroom's coalescing window).
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.classroom().view().get("screen").asText().equals("acknowledged"));
            press();
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").size() == 1);
        }
    }

    @Test
    void theLeadFindsAPastIncidentBySearchAndReadsItInPlainEnglishOnAPhoneAndALaptop() throws Exception {
        startStack(10);
        closedAndOpenIncidents();
        for (int[] size : SIZES) {
            Browser.viewport(browser, size[0], size[1]);
            login("coordinator1");
            wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
            WebElement worry = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#worries li[data-incident]")));
            assertTrue(worry.getText().contains("Year 3 Oak") && !worry.getText().contains("year3-oak"), worry.getText());
            assertFalse(worry.getText().matches("(?s).*\\b(AM|PM|am|pm)\\b.*"), "24-hour times: " + worry.getText());
            Browser.screenshot(browser, "dashboard-live-" + size[0]);
            checkLayout("live page", size[0]);

            open("incidents");
            new Select(browser.findElement(By.id("f-status"))).selectByValue("closed");
            new Select(browser.findElement(By.id("f-room"))).selectByVisibleText("Year 3 Oak");
            browser.findElement(By.id("f-q")).clear();
            browser.findElement(By.id("f-q")).sendKeys("GROUP CHAT");
            browser.findElement(By.id("search-button")).click();
            wait.until(ExpectedConditions.textToBe(By.id("search-result"), "1 incident"));
            WebElement row = browser.findElement(By.cssSelector("#incident-table tbody tr"));
            assertTrue(row.getText().contains("Year 3 Oak") && row.getText().contains("Closed")
                    && row.getText().contains("someone was unkind online") && row.getText().contains("referred to the DSL"), row.getText());
            // en-GB, 24-hour, Europe/London: "1 Dec 2026, 14:05".
            String opened = row.findElement(By.tagName("a")).getText();
            assertTrue(opened.matches("\\d{1,2} [A-Z][a-z]{2,3} \\d{4}, \\d{2}:\\d{2}"), opened);
            Browser.screenshot(browser, "dashboard-incidents-" + size[0]);
            checkLayout("incidents page", size[0]);

            browser.findElement(By.id("f-q")).sendKeys(" nobody wrote this");
            browser.findElement(By.id("search-button")).click();
            wait.until(ExpectedConditions.textToBe(By.id("search-result"), "No incident matches."));
            browser.findElement(By.id("f-q")).clear();
            new Select(browser.findElement(By.id("f-status"))).selectByValue("all");
            browser.findElement(By.id("search-button")).click();
            wait.until(ExpectedConditions.textToBe(By.id("search-result"), "2 incidents"));

            Browser.click(wait, By.xpath("//table[@id='incident-table']//tr[contains(., 'Closed')]//a"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#chronology li")));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("chronology"), "Closed by coordinator1"));
            String chronology = browser.findElement(By.id("chronology")).getText();
            for (String plain : List.of("The worry button was pressed", "The pupil chose a category: someone was unkind online",
                    "Acknowledged by coordinator1", "Closed by coordinator1: referred to the DSL", "Viewed by coordinator1")) {
                assertTrue(chronology.contains(plain), plain + " in " + chronology);
            }
            for (String raw : List.of("worry.", "coordinator.", "cmd.", "view-incident")) {
                assertFalse(chronology.contains(raw), "no raw event name " + raw + " in " + chronology);
            }
            assertTrue(browser.findElement(By.id("detail-title")).getText().contains("Year 3 Oak"));
            Browser.screenshot(browser, "dashboard-incident-" + size[0]);
            checkLayout("incident page", size[0]);
            logout();
        }
    }

    @Test
    void theReportDrawsAChartOfMonthsAndCategoriesBesideItsTable() throws Exception {
        startStack(10);
        closedAndOpenIncidents();
        for (int[] size : SIZES) {
            Browser.viewport(browser, size[0], size[1]);
            login("governor1");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#report-table tbody tr")));
            assertFalse(browser.findElement(By.id("page-live")).isDisplayed(), "a governor sees no live incidents");
            List<WebElement> bars = browser.findElements(By.cssSelector("#report-chart svg rect.series[data-category]"));
            Set<String> categories = bars.stream().map(b -> b.getAttribute("data-category")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of("unkind-online", "not-given"), categories);
            String legend = browser.findElement(By.cssSelector("#report-chart .legend")).getText();
            assertTrue(legend.contains("someone was unkind online") && legend.contains("no category chosen"), legend);
            Browser.screenshot(browser, "dashboard-report-" + size[0]);
            checkLayout("report page", size[0]);
            logout();
        }
    }

    /** What each control needs, as /api/session names it; the page must show it exactly when allowed. */
    private static final Map<String, Permission> CONTROLS = new LinkedHashMap<>();

    static {
        CONTROLS.put("#nav [data-nav='live']", Permission.VIEW_LIVE);
        CONTROLS.put("#nav [data-nav='incidents']", Permission.VIEW_INCIDENTS);
        CONTROLS.put("#nav [data-nav='concern']", Permission.LOG_CONCERN);
        CONTROLS.put("#nav [data-nav='isolations']", Permission.VIEW_ISOLATIONS);
        CONTROLS.put("#nav [data-nav='classrooms']", Permission.VIEW_ROOMS);
        CONTROLS.put("#nav [data-nav='reports']", Permission.VIEW_REPORT);
        CONTROLS.put("#nav [data-nav='aups']", Permission.VIEW_AUPS);
        CONTROLS.put("#nav [data-nav='staff']", Permission.VIEW_AUDIT);
        CONTROLS.put("#nav [data-nav='audit']", Permission.VIEW_AUDIT);
        CONTROLS.put("#filter-checks-link", Permission.VIEW_FILTER_CHECKS);
        CONTROLS.put("#nav [data-nav='breaches']", Permission.VIEW_BREACHES);
    }

    private boolean shown(String css) {
        return browser.findElements(By.cssSelector(css)).stream().anyMatch(WebElement::isDisplayed);
    }

    @Test
    void eachRoleSeesExactlyTheControlsItsPermissionsAllow() throws Exception {
        startStack(10);
        try (StaffClient dsl = new StaffClient(httpPort)) {
            dsl.login("coordinator1", PASSWORD);
            press();
            openIncidentId(dsl);
        }
        List<String> wrong = new ArrayList<>();
        for (Role role : Role.values()) {
            Set<Permission> allowed = Permissions.of(role);
            login(role.wire() + "1");
            for (var control : CONTROLS.entrySet()) {
                if (shown(control.getKey()) != allowed.contains(control.getValue())) {
                    wrong.add(role.wire() + ": " + control.getKey() + " shown=" + shown(control.getKey()));
                }
            }
            if (allowed.contains(Permission.VIEW_LIVE)) {
                open("live");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#worries li[data-incident]")));
                expect(wrong, role, "#worries button.ack", allowed.contains(Permission.ACKNOWLEDGE));
                expect(wrong, role, "#follow-up-form", allowed.contains(Permission.LOOK_UP_FOLLOW_UP));
                expect(wrong, role, "#sound", true);
                String id = browser.findElement(By.cssSelector("#worries li[data-incident]")).getAttribute("data-incident");
                boolean mayOpen = !browser.findElements(By.cssSelector("#worries li[data-incident] a.room")).isEmpty();
                if (mayOpen) {
                    open("incident/" + id);
                    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#detail-actions button.refresh")));
                    expect(wrong, role, "#detail-actions button.ack", allowed.contains(Permission.ACKNOWLEDGE));
                    expect(wrong, role, "#detail-actions a.export", allowed.contains(Permission.EXPORT));
                    expect(wrong, role, "#close-form", allowed.contains(Permission.CLOSE));
                    expect(wrong, role, "#case-panel", allowed.contains(Permission.WORK_CASE));
                    expect(wrong, role, "#detail-actions a.bundle", allowed.contains(Permission.EXPORT));
                } else if (allowed.contains(Permission.CLOSE) || allowed.contains(Permission.EXPORT)) {
                    wrong.add(role.wire() + ": may close or export but cannot open the incident");
                }
            }
            if (allowed.contains(Permission.VIEW_ROOMS)) {
                open("classrooms");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#classrooms li[data-room='year3-oak']")));
                expect(wrong, role, "#classrooms button.test-mode", allowed.contains(Permission.TEST_BUTTON));
                expect(wrong, role, "#classrooms button.filter-check", allowed.contains(Permission.START_FILTER_CHECK));
                expect(wrong, role, "#classrooms button.isolate", allowed.contains(Permission.ISOLATE_REMOTELY));
            }
            if (allowed.contains(Permission.VIEW_AUPS)) {
                open("aups");
                expect(wrong, role, "#aup-form", allowed.contains(Permission.PUBLISH_AUP));
            }
            if (allowed.contains(Permission.VIEW_ISOLATIONS)) {
                open("isolations");
                expect(wrong, role, "#isolations button.signoff", false); // no isolation in this school
            }
            Browser.screenshot(browser, "dashboard-role-" + role.wire());
            assertEquals(List.of(), Browser.consoleErrors(browser), role.wire() + ": no console errors");
            logout();
        }
        assertEquals(List.of(), wrong);
    }

    private void expect(List<String> wrong, Role role, String css, boolean expected) {
        if (shown(css) != expected) {
            wrong.add(role.wire() + ": " + css + " shown=" + shown(css) + " expected=" + expected);
        }
    }

    @Test
    void aTeacherTestsTheButtonFromTheClassroomsPageAndNoIncidentIsOpened() throws Exception {
        startStack(10);
        login("teacher1");
        open("classrooms");
        WebElement room = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#classrooms li[data-room='year3-oak']")));
        assertTrue(room.getText().contains("Year 3 Oak"), room.getText());
        assertTrue(room.getText().contains("Not tested within 30 days"), room.getText());
        Browser.screenshot(browser, "dashboard-classrooms-before-test-1366");
        checkLayout("classrooms page", 1366);

        Browser.click(wait, By.cssSelector("#classrooms li[data-room='year3-oak'] button.test-mode"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("classroom-result"), "test mode on"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                logged("SELECT count(*) FROM events WHERE type = 'cmd.applied' AND payload LIKE '%test-mode%'") == 1);
        press();
        await().atMost(Duration.ofSeconds(20)).until(() -> logged("SELECT count(*) FROM events WHERE type = 'button.tested'") == 1);

        open("classrooms");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#classrooms li[data-room='year3-oak']"), "last passed"));
        String text = browser.findElement(By.cssSelector("#classrooms li[data-room='year3-oak']")).getText();
        assertFalse(text.contains("Not tested within 30 days"), text);
        assertEquals(0, logged("SELECT count(*) FROM incidents"), "a test press opens no incident");
        open("live");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("no-worries")));
        Browser.viewport(browser, 390, 844);
        open("classrooms");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#classrooms li[data-room='year3-oak']"), "last passed"));
        Browser.screenshot(browser, "dashboard-classrooms-after-test-390");
        checkLayout("classrooms page", 390);
    }

    @Test
    void theHeaderTellsTheTruthAboutTheBrokerTheCoordinatorSoundAndAnEscalation() throws Exception {
        startStack(1);
        login("coordinator1");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        // The sound button says "Sound on" only when this page may really play sound.
        String sound = browser.findElement(By.id("sound")).getText();
        assertTrue(sound.equals("Sound on") || sound.equals("Click to enable sound"), sound);
        browser.navigate().refresh();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        // A reload forgets the click; whether this browser still lets a page play sound is its own rule.
        String audioState = (String) ((JavascriptExecutor) browser).executeScript("return new AudioContext().state;");
        if ("running".equals(audioState)) {
            assertEquals("Sound on", browser.findElement(By.id("sound")).getText(), "this browser lets the page play sound");
        } else {
            assertEquals("Click to enable sound", browser.findElement(By.id("sound")).getText(), "no click yet after a reload");
            Browser.click(wait, By.id("sound"));
            wait.until(ExpectedConditions.textToBe(By.id("sound"), "Sound on"));
        }

        press();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#worries li.open")));
        wait.until(d -> d.getTitle().contains("New worry"));
        // Not acknowledged within the minute: escalated, and the tab says so.
        wait.withTimeout(Duration.ofSeconds(120)).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#worries li.escalated")));
        wait.withTimeout(Duration.ofSeconds(30)).until(d -> d.getTitle().equals("⚠ Escalated worry — Haven"));
        assertTrue(browser.findElement(By.cssSelector("#worries li.escalated")).getText().contains("Escalated"));
        wait.withTimeout(Duration.ofSeconds(20));

        broker.close();
        broker = null;
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("broker")));
        assertTrue(browser.findElement(By.id("broker")).getText().contains("Broker link down"));
        Browser.screenshot(browser, "dashboard-broker-down-1366");
        Browser.viewport(browser, 390, 844);
        Browser.screenshot(browser, "dashboard-broker-down-390");
        checkLayout("live page, broker down", 390);

        // A restart loses every session (they live in memory): the page asks to log in again.
        coordinator.close();
        broker = EmbeddedBroker.start(Ports.free(), null);
        coordinator = Coordinator.start(config(1), Clock.systemUTC());
        wait.withTimeout(Duration.ofSeconds(30)).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-panel")));
        assertTrue(browser.findElement(By.id("session-ended")).getText().contains("Log in again"),
                browser.findElement(By.id("session-ended")).getText());
        assertFalse(browser.findElement(By.id("page-live")).isDisplayed(), "no stale worries under the login");
        assertEquals(0, browser.findElements(By.cssSelector("#worries li")).size());
        Browser.screenshot(browser, "dashboard-after-restart-390");
    }

    /** The search hides what a redaction keeps back: a technician cannot find incidents by category or notes. */
    @Test
    void aTechniciansSearchByCategoryOrTextFindsNothingItMayNotSeeInFull() throws Exception {
        startStack(10);
        closedAndOpenIncidents();
        try (StaffClient tech = new StaffClient(httpPort)) {
            tech.login("technician1", PASSWORD);
            JsonNode all = Json.parse(tech.get("/api/incident-search?status=all").body().getBytes());
            assertEquals(2, all.get("incidents").size());
            assertTrue(all.get("incidents").get(0).get("redacted").asBoolean());
            assertEquals(0, Json.parse(tech.get("/api/incident-search?category=unkind-online").body().getBytes()).get("incidents").size());
            assertEquals(0, Json.parse(tech.get("/api/incident-search?q=chat").body().getBytes()).get("incidents").size());
        }
        try (StaffClient dsl = new StaffClient(httpPort)) {
            dsl.login("coordinator1", PASSWORD);
            assertEquals(1, Json.parse(dsl.get("/api/incident-search?category=unkind-online").body().getBytes()).get("incidents").size());
            assertEquals(1, Json.parse(dsl.get("/api/incident-search?q=chat").body().getBytes()).get("incidents").size());
            assertEquals(400, dsl.get("/api/incident-search?status=everything").statusCode());
            assertTrue(logged("SELECT count(*) FROM audit WHERE action = 'search-incidents' AND actor = 'coordinator1'") >= 2);
        }
    }

    /** Issue 15's case journey, at a laptop's and a phone's size: log, assign, note, refer, close. */
    @Test
    void aTeacherLogsAConcernAndTheLeadAssignsItAddsANoteRecordsALadoReferralAndClosesIt() throws Exception {
        startStack(10);
        for (int[] size : SIZES) {
            Browser.viewport(browser, size[0], size[1]);
            login("teacher1");
            open("concern");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#concern-room option[data-room='year3-oak']")));
            new Select(browser.findElement(By.id("concern-about"))).selectByValue("pupil");
            new Select(browser.findElement(By.id("concern-room"))).selectByVisibleText("Year 3 Oak");
            new Select(browser.findElement(By.id("concern-category"))).selectByValue("unkind-online");
            browser.findElement(By.id("concern-summary")).sendKeys("Unkind messages about a pupil in the class group chat");
            checkLayout("concern form", size[0]);
            Browser.screenshot(browser, "case-concern-form-" + size[0]);
            browser.findElement(By.id("concern-button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("concern-result"), "Logged as case"));
            logout();

            login("coordinator1");
            open("incidents");
            new Select(browser.findElement(By.id("f-source"))).selectByValue("concern");
            browser.findElement(By.id("search-button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("search-result"), "incident"));
            Browser.click(wait, By.cssSelector("#incident-table tbody tr a"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("case-panel")));
            assertTrue(browser.findElement(By.id("detail-summary")).getText().contains("Unkind messages about a pupil"));

            // A refusal keeps what was typed: an unknown name is not assigned, and stays in the field.
            browser.findElement(By.id("assign-to")).clear();
            browser.findElement(By.id("assign-to")).sendKeys("nobody-such");
            browser.findElement(By.id("assign-button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("case-result"), "Not saved"));
            assertEquals("nobody-such", browser.findElement(By.id("assign-to")).getAttribute("value"));
            // The browser logs the refused request itself; nothing else may be in the console.
            List<String> refused = Browser.consoleErrors(browser);
            assertTrue(refused.stream().allMatch(e -> e.contains("/assign") && e.contains("400")), refused.toString());
            browser.findElement(By.id("assign-to")).clear();
            browser.findElement(By.id("assign-to")).sendKeys("senior1");
            browser.findElement(By.id("assign-button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("detail-summary"), "senior1"));

            browser.findElement(By.id("note-text")).sendKeys("Spoke to the pupil; screenshots described, not kept");
            browser.findElement(By.id("note-button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("case-notes"), "Spoke to the pupil"));

            new Select(browser.findElement(By.id("action-kind"))).selectByValue("lado-referral");
            browser.findElement(By.id("action-reference")).sendKeys("LADO-2026-031");
            // Due in the past: the page must flag it overdue at once.
            browser.findElement(By.id("action-due-date")).sendKeys("5/1/2026");
            browser.findElement(By.id("action-due-time")).clear();
            browser.findElement(By.id("action-due-time")).sendKeys("09:00");
            browser.findElement(By.id("action-button")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("case-actions"), "LADO-2026-031"));
            String actions = browser.findElement(By.id("case-actions")).getText();
            assertTrue(actions.contains("LADO referral") && actions.contains("OVERDUE") && actions.contains("5 Jan 2026, 09:00"), actions);

            // Closing: no outcome chosen for the user, a note required, then a confirmation.
            assertEquals("", new Select(browser.findElement(By.id("close-outcome"))).getFirstSelectedOption().getAttribute("value"));
            new Select(browser.findElement(By.id("close-outcome"))).selectByValue("referred-to-police-or-lado");
            browser.findElement(By.id("close-button")).click();
            assertTrue(browser.findElements(By.cssSelector("#close-confirm-row:not([hidden])")).isEmpty(), "no confirmation without a note");
            browser.findElement(By.id("close-notes")).sendKeys("LADO referral made; the LADO leads from here");
            browser.findElement(By.id("close-button")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("close-confirm")));
            assertTrue(browser.findElement(By.id("close-confirm-text")).getText().contains("referred to police / LADO"));
            Browser.screenshot(browser, "case-close-confirm-" + size[0]);
            browser.findElement(By.id("close-confirm")).click();
            wait.until(ExpectedConditions.textToBe(By.id("close-result"), "Closed."));
            // The page's own timeline shows the decision just made, without a Refresh or a reload.
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("chronology"), "Closed by coordinator1"));
            String chronology = browser.findElement(By.id("chronology")).getText();
            for (String plain : List.of("Concern logged by teacher1", "Assigned to senior1", "Note by coordinator1: Spoke to the pupil",
                    "Action recorded by coordinator1: LADO referral, reference LADO-2026-031")) {
                assertTrue(chronology.contains(plain), plain + " in " + chronology);
            }
            Browser.screenshot(browser, "case-closed-" + size[0]);
            checkLayout("case page", size[0]);
            logout();
        }
    }
}
