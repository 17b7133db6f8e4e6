package haven.coordinator.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Incident;
import haven.protocol.RoomId;
import haven.testkit.Ports;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Content rules (docs/NOTIFICATIONS.md): whatever the incident holds, an alert on any channel (e-mail, Web Push,
 * every webhook format) says the kind, the room's name, how long ago and the dashboard link, and never the
 * computer, the category (above all of a head-only concern), the misuse URL or the notes.
 */
class AlertContentTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:12:00Z");
    private static final String COMPUTER = "PC-07";
    private static final String URL = "https://unsuitable.example.invalid/page";
    private static final String NOTES = "Spoke with the class teacher after lunch";
    private static final String NATURE = "violent video clip";

    /** An incident holding every field an alert must not show, about an adult (head-only). */
    private static Incident everything(String category) {
        return new Incident(42, "0193c0de-0000-7000-8000-000000000001", new RoomId("test-school", "year5-elm"), haven.coordinator.IncidentStatus.OPEN, 3,
                category, COMPUTER, Instant.parse("2026-11-25T10:00:00Z"), null, null, null, haven.coordinator.CloseOutcome.REFERRED_TO_DSL, NOTES, URL, NATURE, null, null, haven.coordinator.IncidentSource.WORRY);
    }

    private static NotifyConfig config(int smtpPort) throws Exception {
        String yaml = """
                notify:
                  dashboardUrl: https://haven.test-school.invalid/
                  smtp: {host: 127.0.0.1, port: %d, security: none, from: haven@test-school.invalid}
                  contacts:
                    - {staff: head, email: head@test-school.invalid}
                  ladders:
                    worry:
                      - contacts: [head]
                  roomNames:
                    test-school: {year5-elm: "Year 5 (Elm)"}
                """.formatted(smtpPort);
        ObjectNode root = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(yaml);
        return CoordinatorConfig.from(ConfigFile.of("content test", root)).alerts().orElseThrow();
    }

    private static void obeysTheRules(String where, String text) {
        obeysTheRules(where, text, AlertKind.WORRY);
    }

    private static void obeysTheRules(String where, String text, AlertKind kind) {
        for (String banned : List.of(COMPUTER, "about-an-adult", "about an adult", "unkind-online", "stranger", URL, "unsuitable",
                NOTES, "Spoke", NATURE, "year5-elm")) {
            assertFalse(text.toLowerCase().contains(banned.toLowerCase()), where + " contains '" + banned + "': " + text);
        }
        assertTrue(text.contains("Year 5 (Elm)"), where + " names the room: " + text);
        assertTrue(text.contains("12 minutes ago"), where + " says how long ago: " + text);
        assertTrue(text.contains(kind.title()) || text.contains("\"" + kind.wire() + "\""), where + " says the kind: " + text);
    }

    @Test
    void noChannelCarriesTheComputerTheCategoryTheUrlOrTheNotes() throws Exception {
        int port = Ports.free();
        GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        try (WebhookReceiver receiver = new WebhookReceiver(); HttpClient http = HttpClient.newHttpClient()) {
            NotifyConfig config = config(port);
            Contact head = config.contacts().get("head");
            for (String category : List.of("about-an-adult", "unkind-online", "stranger-contact")) {
                Alert alert = Alert.of(AlertKind.WORRY, everything(category), config, NOW);
                assertTrue(new SmtpChannel(config.smtp().orElseThrow()).send(head, alert).accepted());
                // Web Push: what the device decrypts (the encryption and delivery themselves: WebPushTest).
                String push = new String(PushChannel.message(alert), java.nio.charset.StandardCharsets.UTF_8);
                obeysTheRules("push " + category, push);
                assertTrue(push.contains("https://haven.test-school.invalid/"), "the push links to the dashboard: " + push);
                Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
                for (WebhookSettings.Format format : WebhookSettings.Format.values()) {
                    WebhookSettings hook = new WebhookSettings("hook", format, URI.create(receiver.url("/" + format.wire())),
                            Optional.of("a-shared-secret-of-some-length"), Optional.empty());
                    assertTrue(new WebhookChannel(hook, http, clock).send(head, alert).accepted());
                }
            }
            List<String> texts = new ArrayList<>();
            for (MimeMessage m : mail.getReceivedMessages()) {
                texts.add(m.getSubject() + "\n" + GreenMailUtil.getBody(m) + "\n" + GreenMailUtil.getHeaders(m));
            }
            assertEquals(3, texts.size());
            texts.forEach(t -> {
                obeysTheRules("e-mail", t);
                assertTrue(t.contains("https://haven.test-school.invalid/"), "the e-mail links to the dashboard: " + t);
            });
            assertEquals(12, receiver.received.size());
            for (WebhookReceiver.Request r : receiver.received) {
                obeysTheRules("webhook " + r.path(), r.body() + "\n" + r.headers());
            }
        } finally {
            mail.stop();
        }
    }

    /**
     * The other kinds (an isolation, a failed filter check, a staff concern, an overdue action, a hub offline
     * or back): built from the same fields, so the same rules hold over every channel, and the head-only
     * category of a staff concern is not in its title either.
     */
    @Test
    void everyOtherKindObeysTheSameRulesOnEveryChannel() throws Exception {
        int port = Ports.free();
        GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        List<AlertKind> kinds = List.of(AlertKind.ISOLATION, AlertKind.FILTER_CHECK_FAILED, AlertKind.STAFF_CONCERN,
                AlertKind.ACTION_OVERDUE, AlertKind.HUB_OFFLINE, AlertKind.HUB_BACK);
        try (WebhookReceiver receiver = new WebhookReceiver(); HttpClient http = HttpClient.newHttpClient()) {
            NotifyConfig config = config(port);
            Contact head = config.contacts().get("head");
            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
            for (AlertKind kind : kinds) {
                Incident incident = everything("about-an-adult");
                Alert alert = kind == AlertKind.HUB_OFFLINE || kind == AlertKind.HUB_BACK
                        ? Alert.about(kind, Alert.NO_INCIDENT, incident.room(), incident.openedAt(), config, NOW)
                        : Alert.of(kind, incident, config, NOW);
                assertTrue(new SmtpChannel(config.smtp().orElseThrow()).send(head, alert).accepted());
                obeysTheRules("push " + kind.wire(), new String(PushChannel.message(alert), java.nio.charset.StandardCharsets.UTF_8), kind);
                MimeMessage m = mail.getReceivedMessages()[mail.getReceivedMessages().length - 1];
                obeysTheRules("e-mail " + kind.wire(), m.getSubject() + "\n" + GreenMailUtil.getBody(m) + "\n" + GreenMailUtil.getHeaders(m), kind);
                int before = receiver.received.size();
                for (WebhookSettings.Format format : WebhookSettings.Format.values()) {
                    WebhookSettings hook = new WebhookSettings("hook", format, URI.create(receiver.url("/" + format.wire())),
                            Optional.of("a-shared-secret-of-some-length"), Optional.empty());
                    assertTrue(new WebhookChannel(hook, http, clock).send(head, alert).accepted());
                }
                for (WebhookReceiver.Request r : receiver.received.subList(before, receiver.received.size())) {
                    obeysTheRules("webhook " + kind.wire() + " " + r.path(), r.body() + "\n" + r.headers(), kind);
                }
            }
            assertEquals(kinds.size(), mail.getReceivedMessages().length);
        } finally {
            mail.stop();
        }
    }

    @Test
    void anAlertAboutAHubWhoseClockIsAheadDoesNotSayItIsInTheFuture() throws Exception {
        NotifyConfig config = config(25);
        Alert alert = Alert.of(AlertKind.WORRY, everything(null), config, Instant.parse("2026-11-25T09:58:00Z"));
        assertEquals("just now", alert.ago());
    }
}
