package haven.mqtt;

/**
 * A QoS 1 publish that the broker did not take: not connected, the connection dropped, or no PUBACK in
 * time. The caller keeps what it was sending (the hub's outbox row stays unsent, a staff action says
 * "saved, not yet sent"). Paho's own exception types stop at {@link MqttLink}.
 */
public final class PublishFailed extends Exception {
    public PublishFailed(String reason, Throwable cause) {
        super(reason, cause);
    }
}
