package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.testkit.Browser;
import haven.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Alerts in real headless Chromium, with notify: configured. The dashboard as an installable app: the manifest
 * is served and valid, the service worker installs and activates, and the alerts button appears after login
 * (subscribing itself needs the browser vendor's push service, which a test on loopback cannot reach; the
 * server side of a subscription is WebPushTest). And an alert that reached nobody stands out on the incident.
 */
class NotifyBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "pwa-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.put("database", dir.resolve("coordinator.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "http://127.0.0.1/");
        // Nothing listens on the mail port, and no device is subscribed: every alert fails.
        n.putObject("smtp").put("host", "127.0.0.1").put("port", Ports.free()).put("security", "none").put("from", "haven@test.invalid");
        n.putObject("retry").put("attempts", 1);
        n.putObject("push").put("subject", "mailto:dsl@test-school.invalid");
        n.putArray("contacts").addObject().put("staff", "dsl").put("email", "dsl@test-school.invalid").put("push", true);
        n.putObject("ladders").putArray("worry").addObject().putArray("contacts").add("dsl");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1366, 768);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        coordinator.close();
        broker.close();
    }

    private WebDriverWait login() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        assertTrue(browser.findElement(By.id("push")).getAttribute("hidden") != null, "no alerts button before login");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys("dsl");
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
        return wait;
    }

    @Test
    void anAlertThatReachedNobodyStandsOutOnTheIncidentsChronology() {
        WebDriverWait wait = login();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(UUID.randomUUID().toString(), 1, EventType.WORRY_REPORTED, new RoomId("test-school", "year5"),
                Instant.now(), data);
        coordinator.ingest().onMessage(e.topic(), new EventCodec().encode(e), false);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#worries li[data-incident] .room")));
        // The alert fails within a few passes; reopen the incident until its chronology shows it.
        Browser.click(wait, By.cssSelector("#worries li[data-incident] .room"));
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            if (d.findElement(By.id("chronology")).getText().contains("NOT REACHED")) {
                return true;
            }
            d.findElement(By.cssSelector("#detail-actions button.refresh")).click();
            return false;
        });
        String chronology = browser.findElement(By.id("chronology")).getText();
        assertTrue(chronology.contains("alert to dsl by email: FAILED (attempt 1, MailConnectException: Couldn't connect to host"), chronology);
        assertTrue(chronology.contains("alert to dsl by push: FAILED (attempt 1, no device of this account is subscribed"), chronology);
        assertTrue(chronology.contains("alert to dsl: NOT REACHED on any channel (email, push)"), chronology);
        assertEquals(3, browser.findElements(By.cssSelector("#chronology li.alert-failed")).size());
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "dashboard accessibility with failed alerts");
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }

    @Test
    void theDashboardInstallsAsAnAppWithAServiceWorkerAndOffersAlertsAfterLogin() {
        WebDriverWait wait = login();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("push")));
        assertEquals("Alerts on this device", browser.findElement(By.id("push")).getText());

        Object manifest = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())
                  .then(m => done(m.name + '|' + m.display + '|' + m.start_url + '|' + m.icons.length)).catch(e => done('error ' + e));""");
        assertEquals("Haven safeguarding dashboard|standalone|/|1", manifest);
        Object worker = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready).then(r => {
                  const w = r.active;
                  if (w.state === 'activated') return done(w.state + ' ' + r.scope);
                  w.addEventListener('statechange', () => { if (w.state === 'activated') done(w.state + ' ' + r.scope); });
                }).catch(e => done('error ' + e));""");
        assertEquals("activated http://127.0.0.1:" + coordinator.httpPort() + "/", worker);
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }
}
