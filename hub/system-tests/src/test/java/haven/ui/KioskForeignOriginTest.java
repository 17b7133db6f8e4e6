package haven.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.demo.EmbeddedBroker;
import haven.testkit.Browser;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A hostile page in a browser on the Pi (any tab, any other app's page) can reach 127.0.0.1: it must not be able
 * to press the button, add a detail or read the kiosk's state, over HTTP or the WebSocket, nor by a DNS name
 * that resolves to 127.0.0.1 (rebinding). Real hub, real broker, raw HTTP and a real Chromium on a foreign page.
 */
class KioskForeignOriginTest {
    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Hub hub;
    private ChromeDriver browser;
    private HttpServer foreign;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(Ports.free(), null);
        ObjectNode h = Stack.hubJson("year5", broker.port(), dir);
        hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", h)), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (foreign != null) {
            foreign.stop(0);
        }
        hub.close();
        broker.close();
    }

    /** One raw request, so the test decides Host and Origin itself; the status line's code. */
    private int raw(String method, String path, String host, String origin, String extra) throws Exception {
        try (Socket s = new Socket("127.0.0.1", hub.kioskPort())) {
            s.setSoTimeout(10_000);
            String body = method.equals("POST") ? "{}" : "";
            String req = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n") + extra
                    + (method.equals("POST") ? "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n" : "")
                    + "Connection: close\r\n\r\n" + body;
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    @Test
    void aForeignOriginOrHostIsRefusedOnEveryRouteAndTheSocketWhileTheKiosksOwnPageWorks() throws Exception {
        String own = "127.0.0.1:" + hub.kioskPort();
        long before = hub.outbox().lastSeq();
        assertEquals(403, raw("POST", "/api/sim/button", own, "http://evil.example", ""), "a foreign page's press");
        assertEquals(403, raw("POST", "/api/kiosk/detail", own, "http://127.0.0.1:1", ""), "another port is another origin");
        assertEquals(403, raw("GET", "/api/kiosk", own, "null", ""), "a sandboxed or file: page");
        assertEquals(403, raw("GET", "/api/kiosk", "evil.example:" + hub.kioskPort(), "http://evil.example:" + hub.kioskPort(), ""),
                "DNS rebinding: a foreign name that resolves to 127.0.0.1");
        assertEquals(403, raw("GET", "/ws", own, "http://evil.example", UPGRADE), "a cross-origin WebSocket");
        assertEquals(403, raw("GET", "/ws", "evil.example:" + hub.kioskPort(), null, UPGRADE), "a rebound WebSocket");
        assertEquals(before, hub.outbox().lastSeq(), "no press was counted");

        assertEquals(200, raw("GET", "/api/kiosk", own, "http://" + own, ""), "the kiosk's own page");
        assertEquals(200, raw("GET", "/api/kiosk", "localhost:" + hub.kioskPort(), null, ""), "no browser: curl, the hub's checks");
        assertEquals(101, raw("GET", "/ws", own, "http://" + own, UPGRADE), "the kiosk's own socket");
        assertEquals(202, raw("POST", "/api/sim/button", own, null, ""), "the simulated button for demos and tests");
    }

    @Test
    void aHostilePageInChromiumOnTheSameMachineCannotPressOrListen() throws Exception {
        int port = Ports.free();
        String kiosk = "127.0.0.1:" + hub.kioskPort();
        String page = "<!doctype html><title>foreign</title><pre id=out>running</pre><script>"
                + "const out = document.getElementById('out'); const seen = [];"
                + "fetch('http://" + kiosk + "/api/sim/button', {method: 'POST', mode: 'no-cors', body: '{}'})"
                + ".then(() => seen.push('fetch-sent'), () => seen.push('fetch-failed'));"
                + "const ws = new WebSocket('ws://" + kiosk + "/ws');"
                + "ws.onmessage = () => { seen.push('state-read'); out.textContent = seen.join(','); };"
                + "ws.onclose = () => { seen.push('ws-closed'); out.textContent = seen.join(','); };"
                + "</script>";
        foreign = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        foreign.createContext("/", ex -> {
            byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        foreign.start();
        long before = hub.outbox().lastSeq();
        Files.createDirectories(dir.resolve("chrome"));
        browser = Browser.start(dir.resolve("chrome"), 800, 480);
        browser.get("http://localhost:" + port + "/");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String text = browser.findElement(org.openqa.selenium.By.id("out")).getText();
            return text.contains("ws-closed") || text.contains("state-read");
        });
        String seen = browser.findElement(org.openqa.selenium.By.id("out")).getText();
        assertTrue(!seen.contains("state-read"), "the foreign page read the kiosk's state: " + seen);
        // The fetch went out (no-cors hides the answer); what matters is that the hub counted no press.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> hub.outbox().lastSeq() == before);
    }
}
