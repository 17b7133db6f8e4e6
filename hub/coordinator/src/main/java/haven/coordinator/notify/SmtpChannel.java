package haven.coordinator.notify;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * E-mail through the school's SMTP server (Angus Mail). STARTTLS is required when configured, not merely
 * tried, so a server or a network that strips it makes the send fail instead of going out in clear text.
 */
public final class SmtpChannel implements Channel {
    private final SmtpSettings settings;
    private final Session session;
    private final String protocol;

    public SmtpChannel(SmtpSettings settings) {
        this.settings = settings;
        this.protocol = settings.security() == SmtpSettings.Security.TLS ? "smtps" : "smtp";
        Properties p = new Properties();
        String prefix = "mail." + protocol + ".";
        p.put(prefix + "host", settings.host());
        p.put(prefix + "port", String.valueOf(settings.port()));
        p.put(prefix + "auth", String.valueOf(settings.username().isPresent()));
        p.put(prefix + "connectiontimeout", String.valueOf(settings.timeout().toMillis()));
        p.put(prefix + "timeout", String.valueOf(settings.timeout().toMillis()));
        p.put(prefix + "writetimeout", String.valueOf(settings.timeout().toMillis()));
        p.put(prefix + "from", settings.from());
        // The EHLO name, looked up once here: left unset, Angus looks it up for each new transport (one per message here).
        p.put(prefix + "localhost", ehloName());
        if (settings.security() == SmtpSettings.Security.STARTTLS) {
            p.put(prefix + "starttls.enable", "true");
            p.put(prefix + "starttls.required", "true");
        }
        if (settings.security() != SmtpSettings.Security.NONE) {
            p.put(prefix + "ssl.checkserveridentity", "true");
        }
        this.session = Session.getInstance(p);
    }

    private static String ehloName() {
        try {
            String name = java.net.InetAddress.getLocalHost().getCanonicalHostName();
            return name == null || name.isBlank() ? "localhost" : name;
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public Outcome send(Contact contact, Alert alert) {
        if (contact.email().isEmpty()) {
            return new Outcome(false, "no e-mail address for this contact");
        }
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(settings.from()));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(contact.email().get(), true));
            message.setSubject(alert.subject(), StandardCharsets.UTF_8.name());
            message.setText(alert.body(), StandardCharsets.UTF_8.name());
            // Urgent to mail clients that sort by it; nothing in the headers says more than the subject.
            message.setHeader("X-Priority", "1");
            message.setHeader("Auto-Submitted", "auto-generated");
            message.saveChanges();
            try (Transport transport = session.getTransport(protocol)) {
                transport.connect(settings.host(), settings.port(), settings.username().orElse(null), settings.password().orElse(null));
                transport.sendMessage(message, message.getAllRecipients());
                String reply = transport instanceof SMTPTransport smtp ? smtp.getLastServerResponse() : "sent";
                return new Outcome(true, reply == null ? "accepted" : reply.trim());
            }
        } catch (MessagingException | RuntimeException e) {
            return Outcome.failed(e);
        }
    }
}
