package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import haven.testkit.StaffClient;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An alert that did not get through is on the dashboard itself, not only on the incident's timeline: a banner
 * on the incident's row and a count in the header (alerts.js), from the snapshot a new dashboard loads and from
 * the live feed an open one hears. Real headless Chromium; the mail server on loopback refuses every message.
 */
class AlertFailuresBrowserTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private ChromeDriver browser;
    private RefusingSmtp smtp;
    private long seq;

    /** An SMTP server that greets and then refuses the sender: every send fails with its 554 reply. */
    private static final class RefusingSmtp implements AutoCloseable {
        final ServerSocket socket;
        final Thread thread;

        RefusingSmtp() throws Exception {
            socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            thread = Thread.ofVirtual().name("refusing-smtp").start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        var out = s.getOutputStream();
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                        out.write("220 refusing.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        for (String line; (line = in.readLine()) != null; ) {
                            String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                            String reply = switch (verb) {
                                case "EHLO", "HELO" -> "250 refusing.test";
                                case "QUIT" -> "221 bye";
                                case "RSET", "NOOP" -> "250 OK";
                                default -> "554 5.7.1 Sending refused by this test";
                            };
                            out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            if (verb.equals("QUIT")) {
                                break;
                            }
                        }
                    } catch (java.io.IOException e) {
                        // closed by the test, or the client hung up
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5000);
        }
    }

    @BeforeEach
    void start() throws Exception {
        smtp = new RefusingSmtp();
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "alert-failures-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "http://127.0.0.1/");
        n.putObject("smtp").put("host", "127.0.0.1").put("port", smtp.port()).put("security", "none").put("from", "haven@test.invalid");
        n.putObject("retry").put("attempts", 3).put("backoffSeconds", 1);
        n.putArray("contacts").addObject().put("staff", "dsl").put("email", "dsl@test-school.invalid");
        n.putObject("ladders").putArray("worry").addObject().putArray("contacts").add("dsl");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 1366, 768);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        coordinator.close();
        broker.close();
        smtp.close();
    }

    private void press(String room) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, EventType.WORRY_REPORTED, new RoomId("test-school", room),
                Instant.now(), data);
        coordinator.ingest().onMessage(e.topic(), new EventCodec().encode(e), false);
    }

    /** What the API says of the open incidents' failures, once the three attempts are over (the database decides). */
    private JsonNode openIncidents(StaffClient dsl) throws Exception {
        return Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents");
    }

    private WebDriverWait login() {
        WebDriverWait wait = new WebDriverWait(browser, BOUND);
        browser.get("http://127.0.0.1:" + coordinator.httpPort() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name"))).sendKeys("dsl");
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        return wait;
    }

    /** Read in one script: the dashboard redraws its list on every live message, so elements do not last. */
    private String bannerOf(String room) {
        return (String) browser.executeScript("""
                for (const li of document.querySelectorAll('#worries li[data-incident]')) {
                  if (li.querySelector('.room').textContent === arguments[0]) {
                    const banner = li.querySelector('.alert-not-delivered');
                    return banner ? banner.textContent : '';
                  }
                }
                return '';""", room);
    }

    @Test
    void aRefusedAlertIsABannerOnItsRowAndACountInTheHeaderFromTheSnapshotAndTheLiveFeed() throws Exception {
        press("year5");
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            await().atMost(BOUND).until(() -> openIncidents(dsl).size() == 1 && openIncidents(dsl).get(0).path("alertFailures").asInt() == 3);
            JsonNode incident = openIncidents(dsl).get(0);
            assertEquals(3, incident.path("alertFailuresByChannel").path("email").asInt(), incident.toString());
            JsonNode snapshot = Json.parse(dsl.get("/api/snapshot").body().getBytes());
            assertEquals(1, snapshot.path("alertFailures").asInt(), "the snapshot's header count");
        }

        // A dashboard opened now hears of it in its snapshot.
        WebDriverWait wait = login();
        wait.until(d -> bannerOf("year5").equals("Alert not delivered: e-mail failed 3 times"));
        wait.until(ExpectedConditions.textToBe(By.id("alert-failures"), "Alerts not delivered: 1"));

        // An open dashboard hears of a new one on the live feed (each failed attempt is an incident message).
        press("year6");
        wait.until(d -> bannerOf("year6").equals("Alert not delivered: e-mail failed 3 times"));
        wait.until(ExpectedConditions.textToBe(By.id("alert-failures"), "Alerts not delivered: 2"));
        assertEquals("Alert not delivered: e-mail failed 3 times", bannerOf("year5"), "the other row keeps its banner");
        assertTrue(browser.findElement(By.id("chronology")).getText().isEmpty(), "outside the timeline: no incident was opened");

        // The banner survives the dashboard's own redraws (a room's presence changes the list too).
        browser.navigate().refresh();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        wait.until(d -> bannerOf("year6").equals("Alert not delivered: e-mail failed 3 times"));
        wait.until(ExpectedConditions.textToBe(By.id("alert-failures"), "Alerts not delivered: 2"));
        assertEquals(List.of(), Browser.accessibilityViolations(browser), "dashboard accessibility with undelivered alerts");
        assertEquals(List.of(), Browser.consoleErrors(browser));
    }
}
