package haven.coordinator.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import haven.testkit.Ports;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SMTP channel against GreenMail on loopback: the login, and STARTTLS required rather than tried. */
class SmtpChannelTest {
    private static final Alert ALERT = new Alert(AlertKind.WORRY, 7, "Year 5", Instant.parse("2026-11-25T10:00:00Z"),
            Instant.parse("2026-11-25T10:01:00Z"), URI.create("https://haven.test.invalid/"));
    private static final Contact DSL = new Contact("dsl", Optional.of("dsl@test.invalid"), List.of());

    private int port;
    private GreenMail mail;

    @BeforeEach
    void start() {
        port = Ports.free();
        mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("haven", "right-password"));
        mail.start();
    }

    @AfterEach
    void stop() {
        mail.stop();
    }

    private Channel.Outcome send(SmtpSettings.Security security, String password) {
        return new SmtpChannel(new SmtpSettings("127.0.0.1", port, security, Optional.of("haven"), Optional.of(password),
                "haven@test.invalid", Duration.ofSeconds(5))).send(DSL, ALERT);
    }

    @Test
    void theServersAcceptanceIsTheOutcome() {
        Channel.Outcome outcome = send(SmtpSettings.Security.NONE, "right-password");
        assertTrue(outcome.accepted(), outcome.toString());
        assertTrue(outcome.detail().startsWith("250"), outcome.detail());
        assertEquals(1, mail.getReceivedMessages().length);
    }

    @Test
    void aWrongPasswordIsAFailureAndNothingIsSent() {
        Channel.Outcome outcome = send(SmtpSettings.Security.NONE, "wrong-password");
        assertFalse(outcome.accepted(), outcome.toString());
        assertTrue(outcome.detail().contains("AuthenticationFailedException"), outcome.detail());
        assertEquals(0, mail.getReceivedMessages().length);
    }

    @Test
    void withStarttlsConfiguredAServerThatCannotDoItGetsNothingInClearText() {
        Channel.Outcome outcome = send(SmtpSettings.Security.STARTTLS, "right-password");
        assertFalse(outcome.accepted(), outcome.toString());
        assertTrue(outcome.detail().toUpperCase(java.util.Locale.ROOT).contains("STARTTLS") || outcome.detail().contains("SSL"), outcome.detail());
        assertEquals(0, mail.getReceivedMessages().length, "not sent without TLS");
    }
}
