package haven.coordinator.notify;

import java.net.URI;
import java.util.Arrays;
import java.util.Optional;

/**
 * One chat or push endpoint, as notify.webhooks.NAME in coordinator.yaml. {@code secret} signs the generic
 * JSON format; {@code token} is sent as a bearer token (ntfy access tokens).
 */
public record WebhookSettings(String name, Format format, URI url, Optional<String> secret, Optional<String> token) {

    /** The payload shapes schools' chat tools accept. */
    public enum Format {
        /** Microsoft Teams Workflows ("When a Teams webhook request is received"): an Adaptive Card message. */
        TEAMS("teams"),
        /** A Google Chat space's incoming webhook: {"text": ...}. */
        GOOGLE_CHAT("google-chat"),
        /** ntfy (self-hostable push to phones): the body is the message, headers carry title, priority and link. */
        NTFY("ntfy"),
        /** Any receiver: a JSON body signed with HMAC-SHA256 over timestamp and body. */
        SIGNED_JSON("signed-json");

        private final String wire;

        Format(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static Optional<Format> fromWire(String wire) {
            return Arrays.stream(values()).filter(f -> f.wire.equals(wire)).findFirst();
        }
    }

    @Override
    public String toString() {
        return "WebhookSettings[name=" + name + ", format=" + format.wire() + ", host=" + url.getHost() + "]";
    }
}
