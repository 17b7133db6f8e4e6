package haven.coordinator.notify;

import java.time.Duration;
import java.util.Optional;

/** The school's mail server, as notify.smtp in coordinator.yaml. */
public record SmtpSettings(String host, int port, Security security, Optional<String> username,
                           Optional<String> password, String from, Duration timeout) {

    /** How the connection is protected: STARTTLS on the submission port, TLS from the first byte, or none (loopback). */
    public enum Security {
        STARTTLS, TLS, NONE;

        int defaultPort() {
            return switch (this) {
                case STARTTLS -> 587;
                case TLS -> 465;
                case NONE -> 25;
            };
        }
    }

    @Override
    public String toString() {
        // Never print the password, even in a debug log of the config.
        return "SmtpSettings[host=" + host + ", port=" + port + ", security=" + security + ", username="
                + username.orElse("") + ", from=" + from + "]";
    }
}
