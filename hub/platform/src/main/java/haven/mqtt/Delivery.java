package haven.mqtt;

import java.time.Duration;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPubAck;

/** One QoS 1 publish in flight; {@link #awaitPubAck} says whether the broker really acknowledged it. */
public final class Delivery {
    private final IMqttDeliveryToken token;

    Delivery(IMqttDeliveryToken token) {
        this.token = token;
    }

    /**
     * Waits for the broker's PUBACK. Paho 1.2.5 can complete a QoS 1 token without an exception when the
     * connection drops under it (seen in the broker-outage test: 26 of 200 events marked sent, never
     * delivered), so only a PUBACK packet itself counts as delivered.
     */
    public void awaitPubAck(Duration timeout) throws PublishFailed {
        try {
            token.waitForCompletion(timeout.toMillis());
        } catch (MqttException e) {
            throw new PublishFailed(e.getMessage(), e);
        }
        if (!(token.getResponse() instanceof MqttPubAck)) {
            throw new PublishFailed("token completed without a PUBACK", null);
        }
    }
}
