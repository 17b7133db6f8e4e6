package haven.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import haven.classroom.Hub;
import haven.coordinator.notify.Notifier;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import jakarta.mail.Message;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `./haven demo`'s e-mail: the built-in catcher and its page, --ack-within, and --smtp to another server. */
class DemoMailTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final HttpClient http = HttpClient.newHttpClient();
    private Demo demo;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.close();
        }
        http.close();
    }

    private Demo start(Optional<String> smtp) throws Exception {
        demo = new Demo(new Demo.Settings(1, 0, Ports.free(), dir, "demo-school", smtp, Duration.ofSeconds(20)), clock);
        Hub hub = demo.hubs().get(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.mqtt().isSubscribed());
        return demo;
    }

    private void press() throws Exception {
        assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.hubs().get(0).kioskPort() + "/api/sim/button"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    private String mailPage() throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.coordinator().httpPort()
                + "/demo/mail")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        return page.body();
    }

    private void waitTwoPasses() {
        Notifier notifier = demo.coordinator().notifier().orElseThrow();
        long target = notifier.passes() + 2;
        await().atMost(Duration.ofSeconds(10)).until(() -> notifier.passes() >= target);
    }

    @Test
    void aPressShowsTheCoordinatorsEmailOnTheDemoPageAndTheHeadsAfterAckWithin() throws Exception {
        start(Optional.empty());
        // The demo's failed filter check may already have mailed the DSL: no worry has, before the press.
        assertEquals(0, worryMails(), mailPage());
        press();
        await().atMost(Duration.ofSeconds(15)).until(() -> mailPage().contains("demo-coordinator@demo.invalid"));
        String page = mailPage();
        assertTrue(page.contains("Haven: New worry in Year 3 (Oak)"), "the e-mail says the room's name: " + page);
        assertTrue(page.contains("http://127.0.0.1:8080/"), "the e-mail links to the dashboard: " + page);
        clock.advance(Duration.ofSeconds(19));
        waitTwoPasses();
        assertTrue(!mailPage().contains("demo-head@demo.invalid"), "not before --ack-within");
        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> mailPage().contains("demo-head@demo.invalid"));
        // The demo's room whose filter lets games through also fails its first check and mails its own ladder:
        // count only this worry's e-mails, the coordinator's and the head's.
        assertEquals(2, worryMails(), mailPage());
    }

    private long worryMails() throws Exception {
        return demo.mailbox().received().stream().filter(m -> m.subject().contains("New worry")).count();
    }

    /**
     * The demo's room whose filter lets games through fails its first check at start; that opens an incident with
     * source filter-check, and the demo's ladder for the kind mails the DSL: /demo/mail shows it.
     */
    @Test
    void theDemosFailedFilterCheckIsMailedToTheDslOnTheDemoPage() throws Exception {
        start(Optional.empty());
        assertEquals("year3-oak", demo.hubs().get(0).config().room().room());
        await().atMost(Duration.ofSeconds(45)).until(() -> mailPage().contains("Haven: Filter check failed in Year 3 (Oak)"));
        assertTrue(mailPage().contains("demo-coordinator@demo.invalid"), mailPage());
    }

    /** The worry's e-mails a server received (the demo's failed filter check mails too). */
    private static List<jakarta.mail.internet.MimeMessage> worryMailsAt(GreenMail server) {
        return java.util.Arrays.stream(server.getReceivedMessages()).filter(m -> {
            try {
                return m.getSubject().contains("New worry");
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void withSmtpTheEmailGoesToThatServerInstead() throws Exception {
        int port = Ports.free();
        GreenMail elsewhere = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        elsewhere.start();
        try {
            start(Optional.of("127.0.0.1:" + port));
            press();
            await().atMost(Duration.ofSeconds(15)).until(() -> worryMailsAt(elsewhere).size() == 1);
            assertEquals(List.of("demo-coordinator@demo.invalid"),
                    List.of(worryMailsAt(elsewhere).get(0).getRecipients(Message.RecipientType.TO)[0].toString()));
            assertTrue(mailPage().contains("--smtp"), "the page says where the e-mail went");
        } finally {
            elsewhere.stop();
        }
    }
}
