package haven.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import haven.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `haven notify-test`: a school checks its notify: settings by sending a test alert to one contact. */
class NotifyTestCommandTest {
    @TempDir
    Path dir;

    private int smtpPort;
    private GreenMail mail;

    @BeforeEach
    void start() {
        smtpPort = Ports.free();
        mail = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
    }

    @AfterEach
    void stop() {
        mail.stop();
    }

    private int run(String webhookUrl) throws Exception {
        Path config = dir.resolve("coordinator.yaml");
        Files.writeString(config, """
                database: %s
                notify:
                  dashboardUrl: https://haven.test.invalid/
                  smtp: {host: 127.0.0.1, port: %d, security: none, from: haven@test.invalid}
                  webhooks:
                    chat: {format: google-chat, url: "%s"}
                  contacts:
                    - {staff: dsl, email: dsl@test.invalid, webhooks: [chat]}
                  ladders:
                    worry:
                      - contacts: [dsl]
                """.formatted(dir.resolve("coordinator.db"), smtpPort, webhookUrl));
        return new CommandLine(new HavenCli()).execute("notify-test", "--config", config.toString(), "--contact", "dsl");
    }

    @Test
    void everyChannelOfTheContactGetsATestAlertAndAFailedOneMakesTheExitCodeOne() throws Exception {
        // Nothing listens on this port: the webhook fails, the e-mail still goes.
        assertEquals(1, run("http://127.0.0.1:" + Ports.free() + "/hook"));
        assertEquals(1, mail.getReceivedMessages().length);
        assertEquals("Haven: Test alert in a test from haven notify-test (no pupil pressed anything)",
                mail.getReceivedMessages()[0].getSubject());
    }
}
