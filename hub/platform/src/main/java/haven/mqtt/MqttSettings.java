package haven.mqtt;

import java.util.Objects;

/**
 * How to reach the broker. {@code cleanSession=false} asks the broker to queue QoS 1 messages for us
 * while we are away (the coordinator); hubs use a clean session because their SQLite outbox, not the
 * client, is the record of what is unsent.
 */
public record MqttSettings(String serverUri, String clientId, String username, char[] password,
                           int keepAliveSeconds, boolean cleanSession) {
    public MqttSettings {
        Objects.requireNonNull(serverUri, "serverUri");
        Objects.requireNonNull(clientId, "clientId");
        if (keepAliveSeconds < 1 || keepAliveSeconds > 3600) {
            throw new IllegalArgumentException("mqtt keepAlive must be 1..3600 seconds, got " + keepAliveSeconds);
        }
    }

    public static MqttSettings local(int port, String clientId, int keepAliveSeconds, boolean cleanSession) {
        return new MqttSettings("tcp://127.0.0.1:" + port, clientId, null, null, keepAliveSeconds, cleanSession);
    }
}
