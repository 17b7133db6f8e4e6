package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.support.Browser;
import haven.support.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard as an installable app in real headless Chromium, with notify.push configured: the manifest
 * is served and valid, the service worker installs and activates, and the alerts button appears after login.
 * (Subscribing itself needs the browser vendor's push service, which a test on loopback cannot reach; the
 * server side of a subscription is WebPushTest.)
 */
class PwaBrowserTest {
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
        n.putObject("push").put("subject", "mailto:dsl@test-school.invalid");
        n.putArray("contacts").addObject().put("staff", "dsl").put("push", true);
        n.putObject("ladders").putArray("worry").addObject().putArray("contacts").add("dsl");
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

    @Test
    void theDashboardInstallsAsAnAppWithAServiceWorkerAndOffersAlertsAfterLogin() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        assertTrue(browser.findElement(By.id("push")).getAttribute("hidden") != null, "no alerts button before login");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys("dsl");
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
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
        assertEquals(java.util.List.of(), Browser.consoleErrors(browser));
    }
}
