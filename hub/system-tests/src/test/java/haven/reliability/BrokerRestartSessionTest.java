package haven.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import haven.mqtt.MqttLink;
import haven.mqtt.MqttSettings;
import haven.testkit.Mosquitto;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's side of a broker restart: a persistent session on a persisting Mosquitto keeps the
 * messages queued for a slow subscriber, and MqttLink comes back by itself to receive them.
 */
class BrokerRestartSessionTest {
    @TempDir
    Path dir;

    private static MqttClient publisher(Mosquitto broker) throws Exception {
        MqttClient pub = new MqttClient(broker.uri(), "pub", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(1000);
        pub.connect(o);
        return pub;
    }

    @Test
    void messagesQueuedForASlowPersistentSubscriberSurviveABrokerRestart() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir.resolve("mosquitto"))) {
            Set<String> got = ConcurrentHashMap.newKeySet();
            MqttLink sub = new MqttLink(new MqttSettings(broker.uri(), "slow-coordinator", null, null, 5, false), null);
            sub.subscribe("t/#", (topic, payload, retained) -> {
                got.add(new String(payload));
                try {
                    Thread.sleep(5); // a slow commit: messages pile up in the broker's queue for us
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            sub.start();
            MqttClient pub = publisher(broker);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                pub.publish("t/probe", "probe".getBytes(), 1, false);
                return got.contains("probe");
            });
            for (int i = 0; i < 50; i++) {
                pub.publish("t/x", ("m" + i).getBytes(), 1, false);
            }
            pub.disconnect();
            pub.close();
            broker.restart();
            MqttClient again = publisher(broker);
            for (int i = 50; i < 100; i++) {
                again.publish("t/x", ("m" + i).getBytes(), 1, false);
            }
            again.disconnect();
            again.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> got.stream().filter(s -> s.startsWith("m")).count() == 100);
            assertEquals(1, sub.reconnects() >= 1 ? 1 : 0, "the link reconnected by itself");
            sub.close();
        }
    }
}
