package haven.bench;

import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Bare Paho clients with nothing of Haven on top: the limit Haven's figures are compared with. Same
 * library, same broker, same QoS 1, same payload bytes.
 */
final class RawMqtt {
    private RawMqtt() {
    }

    static MqttAsyncClient connect(String uri, String clientId, int maxInflight) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setKeepAliveInterval(30);
        options.setMaxInflight(maxInflight);
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    static void close(MqttAsyncClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // closing after a measurement: nothing left to protect
        }
    }
}
