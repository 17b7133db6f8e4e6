package haven.coordinator.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
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
import haven.coordinator.evidence.EventLog;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ladder against a real SMTP server on loopback (GreenMail) and a real coordinator: who gets an e-mail,
 * when, and what the incident's timeline says about it. The clock is moved by hand; nothing waits for time.
 */
class EmailLadderTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId YEAR5 = new RoomId("test-school", "year5-elm");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private GreenMail mail;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private WebhookReceiver chat;
    private CoordinatorConfig config;
    private long seq;

    private void start(int smtpPort, boolean smtpRunning) throws Exception {
        start(smtpPort, smtpRunning, false);
    }

    private void start(int smtpPort, boolean smtpRunning, boolean dslAgainAfter5m) throws Exception {
        if (smtpRunning) {
            mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                    .withConfiguration(GreenMailConfiguration.aConfig().withUser("haven", "mail-password"));
            mail.start();
        }
        chat = new WebhookReceiver();
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "notify-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "https://haven.test-school.invalid/");
        n.putObject("smtp").put("host", "127.0.0.1").put("port", smtpPort).put("security", "none")
                .put("username", "haven").put("password", "mail-password").put("from", "haven@test-school.invalid")
                .put("timeoutSeconds", 5);
        n.putObject("retry").put("attempts", 2).put("backoffSeconds", 30);
        n.putObject("webhooks").putObject("safeguarding-chat").put("format", "google-chat").put("url", chat.url("/chat"));
        var contacts = n.putArray("contacts");
        contacts.addObject().put("staff", "dsl").put("email", "dsl@test-school.invalid")
                .putArray("webhooks").add("safeguarding-chat");
        contacts.addObject().put("staff", "head").put("email", "head@test-school.invalid");
        var worry = n.putObject("ladders").putArray("worry");
        worry.addObject().putArray("contacts").add("dsl");
        if (dslAgainAfter5m) {
            worry.addObject().put("after", "5m").putArray("contacts").add("dsl");
        }
        worry.addObject().put("after", "10m").putArray("contacts").add("head");
        n.putObject("roomNames").putObject("test-school").put("year5-elm", "Year 5 (Elm)");
        config = CoordinatorConfig.from(ConfigFile.of("test", c));
        coordinator = Coordinator.start(config, clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("head", Role.HEAD, PASSWORD.toCharArray());
    }

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (mail != null) {
            mail.stop();
        }
        if (chat != null) {
            chat.close();
        }
    }

    private String press() {
        return press(null);
    }

    private String press(String category) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        if (category != null) {
            data.put("category", category);
        }
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, EventType.WORRY_REPORTED, YEAR5, clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
        return e.id();
    }

    private List<String> recipients() {
        return Arrays.stream(mail.getReceivedMessages()).map(m -> {
            try {
                return m.getRecipients(Message.RecipientType.TO)[0].toString();
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** Two whole passes of the ladder after now: whatever the clock made due has been sent by then. */
    private void waitTwoPasses() {
        Notifier notifier = coordinator.notifier().orElseThrow();
        long target = notifier.passes() + 2;
        await().atMost(Duration.ofSeconds(10)).until(() -> notifier.passes() >= target);
    }

    private JsonNode chronology(StaffClient who, long incident) throws Exception {
        return Json.parse(who.get("/api/incidents/" + incident).body().getBytes()).get("chronology");
    }

    private static List<JsonNode> ofType(JsonNode chronology, String type) {
        List<JsonNode> out = new java.util.ArrayList<>();
        chronology.forEach(step -> {
            if (type.equals(step.path("type").asText())) {
                out.add(step);
            }
        });
        return out;
    }

    @Test
    void aPressEmailsTheFirstStepAtOnceAndTheNextOnlyAfterTheDelayUnacknowledged() throws Exception {
        start(Ports.free(), true);
        press();
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().equals(List.of("dsl@test-school.invalid")));
        clock.advance(Duration.ofMinutes(9));
        waitTwoPasses();
        assertEquals(List.of("dsl@test-school.invalid"), recipients(), "the head is not told before the step's delay");

        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 2);
        assertEquals("head@test-school.invalid", recipients().get(1));
        MimeMessage first = mail.getReceivedMessages()[0];
        assertEquals("Haven: New worry in Year 5 (Elm)", first.getSubject());
        assertTrue(chat.received.isEmpty(), "e-mail worked, so the fallback webhook was not used");

        try (StaffClient head = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, head.login("head", PASSWORD));
            long id = Json.parse(head.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            List<JsonNode> attempts = ofType(chronology(head, id), Timeline.ATTEMPT);
            assertEquals(2, attempts.size(), attempts.toString());
            assertEquals("dsl", attempts.get(0).path("data").path("contact").asText());
            assertEquals("accepted", attempts.get(0).path("data").path("outcome").asText());
            assertTrue(attempts.get(0).path("data").path("reply").asText().startsWith("250"), attempts.toString());
            assertEquals("head", attempts.get(1).path("data").path("contact").asText());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("coordinator.db"))) {
            EventLog.Verification v = EventLog.verify(haven.store.SqlTypes.borrow(c));
            assertTrue(v.intact(), "the send attempts are chained like the hubs' events: " + v.firstBreak());
            long accounts;
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM events WHERE type LIKE 'coordinator.account-%'")) {
                rs.next();
                accounts = rs.getLong(1);
            }
            // The staff accounts made for the test are chained staff decisions too (docs/EVIDENCE.md).
            assertEquals(3, v.checked() - accounts, "the press and two attempts");
        }
    }

    @Test
    void aConcernAboutAnAdultGoesToTheHeadAtOnceAndToNobodyElse() throws Exception {
        start(Ports.free(), true);
        press("about-an-adult");
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().equals(List.of("head@test-school.invalid")));
        clock.advance(Duration.ofMinutes(30));
        waitTwoPasses();
        assertEquals(List.of("head@test-school.invalid"), recipients(), "the DSL may not see it, so is not told of it");
        try (StaffClient head = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, head.login("head", PASSWORD));
            long id = Json.parse(head.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            List<JsonNode> skipped = ofType(chronology(head, id), Timeline.SKIPPED);
            assertEquals(1, skipped.size(), skipped.toString());
            assertEquals("dsl", skipped.get(0).path("data").path("contact").asText());
        }
    }

    @Test
    void aStepWhoseContactsAllHaveTheAlertAlreadyWaitsForTheNextStepsTime() throws Exception {
        start(Ports.free(), true, true);
        press();
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 1);
        clock.advance(Duration.ofMinutes(5));
        waitTwoPasses();
        clock.advance(Duration.ofMinutes(4));
        waitTwoPasses();
        assertEquals(List.of("dsl@test-school.invalid"), recipients(), "not alerted twice, and the head not brought forward");
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 2);
    }

    @Test
    void afterARestartTheLadderCarriesOnFromTheStepItHadReached() throws Exception {
        start(Ports.free(), true);
        press();
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 1);
        coordinator.close();
        coordinator = Coordinator.start(config, clock);
        clock.advance(Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 2);
        waitTwoPasses();
        assertEquals(List.of("dsl@test-school.invalid", "head@test-school.invalid"), recipients(),
                "step 2 after the restart, and step 1 not again");
    }

    @Test
    void acknowledgedInTheDashboardNothingMoreIsSent() throws Exception {
        start(Ports.free(), true);
        press();
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 1);
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            long id = Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            assertEquals(200, dsl.post("/api/incidents/" + id + "/ack", "{}").statusCode());
        }
        clock.advance(Duration.ofMinutes(30));
        waitTwoPasses();
        assertEquals(List.of("dsl@test-school.invalid"), recipients(), "acknowledged: the head is not called");
    }

    @Test
    void withTheMailServerDownItRetriesWithBackoffThenUsesTheWebhookAndTheTimelineShowsTheFailures() throws Exception {
        start(Ports.free(), false);
        press();
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            long id = Json.parse(dsl.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            await().atMost(Duration.ofSeconds(10)).until(() -> ofType(chronology(dsl, id), Timeline.ATTEMPT).size() == 1);
            clock.advance(Duration.ofSeconds(29));
            waitTwoPasses();
            assertEquals(1, ofType(chronology(dsl, id), Timeline.ATTEMPT).size(), "the retry waits for its backoff");
            assertTrue(chat.received.isEmpty());

            clock.advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> chat.received.size() == 1);
            List<JsonNode> attempts = ofType(chronology(dsl, id), Timeline.ATTEMPT);
            await().atMost(Duration.ofSeconds(10)).until(() -> ofType(chronology(dsl, id), Timeline.ATTEMPT).size() == 3);
            attempts = ofType(chronology(dsl, id), Timeline.ATTEMPT);
            assertEquals(List.of("email/1/failed", "email/2/failed", "webhook:safeguarding-chat/1/accepted"),
                    attempts.stream().map(a -> a.path("data").path("channel").asText() + "/" + a.path("data").path("attempt").asInt()
                            + "/" + a.path("data").path("outcome").asText()).toList());
            assertTrue(attempts.get(0).path("data").path("reply").asText().contains("onnect"), attempts.toString());
            assertEquals("HTTP 200", attempts.get(2).path("data").path("reply").asText());
        }
    }

    @Test
    void aContactNoChannelReachesIsOnTheTimelineAndTheNextStepStartsAtOnce() throws Exception {
        start(Ports.free(), false);
        chat.status = 503;
        press();
        try (StaffClient head = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, head.login("head", PASSWORD));
            long id = Json.parse(head.get("/api/incidents?status=open").body().getBytes()).get("incidents").get(0).get("id").asLong();
            await().atMost(Duration.ofSeconds(10)).until(() -> ofType(chronology(head, id), Timeline.ATTEMPT).size() == 1);
            // e-mail twice 30 s apart, the webhook at once after that, and its retry 30 s later (each answers 503):
            // four attempts, then nobody is left.
            for (int attempts = 3; attempts <= 4; attempts++) {
                clock.advance(Duration.ofSeconds(30));
                int expected = attempts;
                await().atMost(Duration.ofSeconds(10)).until(() -> ofType(chronology(head, id), Timeline.ATTEMPT).stream()
                        .filter(a -> a.path("data").path("contact").asText().equals("dsl")).count() == expected);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !ofType(chronology(head, id), Timeline.UNREACHABLE).isEmpty());
            assertEquals(2, chat.received.size(), "the webhook was tried twice");
            // The head's e-mail fails too (same dead server), but it was tried long before the 10-minute step.
            await().atMost(Duration.ofSeconds(10)).until(() -> ofType(chronology(head, id), Timeline.ATTEMPT).stream()
                    .anyMatch(a -> a.path("data").path("contact").asText().equals("head")));
            assertEquals("dsl", ofType(chronology(head, id), Timeline.UNREACHABLE).get(0).path("data").path("contact").asText());
        }
    }
}
