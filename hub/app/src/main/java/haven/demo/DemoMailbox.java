package haven.demo;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import haven.coordinator.ExtraPage;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The demo's mail catcher: a real SMTP server on loopback (GreenMail) that keeps what Haven sends to staff, and
 * the page that shows it (/demo/mail on the dashboard's port), so a new user sees the e-mail a DSL would get.
 * Nothing it receives leaves this machine.
 */
public final class DemoMailbox implements AutoCloseable {
    /** One received e-mail as the page shows it. */
    public record Mail(String to, String subject, String body, String received) {
    }

    private final Optional<GreenMail> catcher;
    private final String smtpTarget;

    private DemoMailbox(Optional<GreenMail> catcher, String smtpTarget) {
        this.catcher = catcher;
        this.smtpTarget = smtpTarget;
    }

    /** A catcher on {@code 127.0.0.1:port}. */
    public static DemoMailbox catcher(int port) {
        GreenMail mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        return new DemoMailbox(Optional.of(mail), "127.0.0.1:" + port);
    }

    /** No catcher: the demo's e-mail goes to an SMTP server the user named (--smtp HOST:PORT). */
    public static DemoMailbox elsewhere(String hostAndPort) {
        return new DemoMailbox(Optional.empty(), hostAndPort);
    }

    public boolean catches() {
        return catcher.isPresent();
    }

    /** Where the demo's e-mail is sent, HOST:PORT. */
    public String smtpTarget() {
        return smtpTarget;
    }

    public List<Mail> received() {
        List<Mail> out = new ArrayList<>();
        catcher.ifPresent(mail -> {
            for (MimeMessage m : mail.getReceivedMessages()) {
                try {
                    var to = m.getRecipients(Message.RecipientType.TO);
                    out.add(new Mail(to == null || to.length == 0 ? "" : to[0].toString(), m.getSubject(),
                            GreenMailUtil.getBody(m).replace("\r\n", "\n"),
                            m.getReceivedDate() == null ? "" : m.getReceivedDate().toInstant().toString()));
                } catch (MessagingException e) {
                    out.add(new Mail("", "(unreadable message: " + e.getMessage() + ")", "", ""));
                }
            }
        });
        return out;
    }

    /** GET /demo/mail: newest first, reloading itself every few seconds (no script: the dashboard's CSP allows none inline). */
    public ExtraPage page() {
        return new ExtraPage("/demo/mail", this::html);
    }

    String html() {
        StringBuilder h = new StringBuilder("""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
                <title>Haven demo: e-mail sent to staff</title>
                <style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}
                article{border:1px solid #bbb;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
                pre{white-space:pre-wrap;font-family:inherit}</style></head><body>
                <h1>E-mail sent to staff</h1>
                """);
        if (catcher.isEmpty()) {
            h.append("<p>This demo sends its e-mail to <code>").append(esc(smtpTarget))
                    .append("</code> (--smtp), so it is not shown here. Look in that server's mailbox.</p>");
        } else {
            h.append("<p>The demo's mail catcher on <code>smtp://").append(esc(smtpTarget)).append("</code> keeps what Haven sends:"
                    + " press a worry button, and the coordinator's e-mail appears here; leave it unacknowledged and the head's follows."
                    + " Nothing leaves this machine.</p>");
            List<Mail> mails = received();
            if (mails.isEmpty()) {
                h.append("<p><em>No e-mail yet.</em></p>");
            }
            for (int i = mails.size() - 1; i >= 0; i--) {
                Mail m = mails.get(i);
                h.append("<article><p><strong>To:</strong> ").append(esc(m.to())).append("<br><strong>Subject:</strong> ")
                        .append(esc(m.subject())).append("<br><strong>Received:</strong> ").append(esc(m.received()))
                        .append("</p><pre>").append(esc(m.body())).append("</pre></article>\n");
            }
        }
        return h.append("</body></html>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    @Override
    public void close() {
        catcher.ifPresent(GreenMail::stop);
    }
}
