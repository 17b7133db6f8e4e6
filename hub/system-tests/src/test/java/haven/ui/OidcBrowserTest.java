package haven.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.Totp;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Browser;
import haven.testkit.Ports;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The school's sign-in in a real Chromium: the login page offers "Sign in with your school account" (auth.oidc set),
 * the browser goes to the OpenID Connect provider (mock-oauth2-server on loopback, signing in at once) and back;
 * a teacher lands on the dashboard, the DSL still sets up and gives Haven's code (login-totp.js) first.
 */
class OidcBrowserTest {
    @TempDir
    Path dir;

    private MockOAuth2Server idp;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        idp = new MockOAuth2Server();
        idp.start(InetAddress.getByName("127.0.0.1"), Ports.free());
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        int port = Ports.free();
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "oidc-browser");
        c.putObject("http").put("host", "127.0.0.1").put("port", port);
        c.put("database", dir.resolve("coordinator.db").toString());
        c.putObject("auth").putObject("oidc").put("issuer", idp.issuerUrl("default").toString()).put("clientId", "haven")
                .put("clientSecret", "not-a-real-secret").put("redirectUri", "http://127.0.0.1:" + port + "/auth/oidc/callback")
                .put("domain", "school.example");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("ms-khan", Role.TEACHER, "correct-horse-battery".toCharArray());
        coordinator.staff().put("dsl", Role.COORDINATOR, "correct-horse-battery".toCharArray());
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
        idp.shutdown();
    }

    private void signInAs(WebDriverWait wait, String name) {
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("default", "subject-" + name, "JWT", List.of("haven"),
                Map.of("email", name + "@school.example", "aud", List.of("haven")), 3600));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        Browser.click(wait, By.id("oidc-start"));
    }

    @Test
    void aTeacherSignsInWithTheSchoolAccountAndADslStillGivesHavensCode() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("oidc-start")));
        assertEquals("Sign in with your school account", browser.findElement(By.id("oidc-start")).getText());
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "login page accessibility");
        Browser.screenshot(browser, "dashboard-login-oidc");

        signInAs(wait, "ms-khan");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("logout"))).click();

        signInAs(wait, "dsl");
        String secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-secret"))).getText().replace(" ", "");
        browser.findElement(By.id("totp-code")).sendKeys(Totp.code(Totp.fromBase32(secret), Totp.step(Instant.now())));
        browser.findElement(By.id("totp-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp-continue"))).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        assertTrue(Browser.consoleErrors(browser).isEmpty(), Browser.consoleErrors(browser).toString());
    }
}
