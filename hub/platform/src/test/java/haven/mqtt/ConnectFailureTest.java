package haven.mqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.jupiter.api.Test;

/** A broker that cannot be reached is named for what went wrong: DNS, TLS, refused or authentication. */
class ConnectFailureTest {
    private static MqttException wrapping(Throwable cause) {
        return new MqttException(MqttException.REASON_CODE_SERVER_CONNECT_ERROR, cause);
    }

    @Test
    void eachKindOfFailureSaysWhatToCheck() {
        assertTrue(ConnectFailure.describe(wrapping(new UnknownHostException("broker.invalid"))).startsWith("DNS:"));
        assertTrue(ConnectFailure.describe(wrapping(new SSLHandshakeException("PKIX path building failed"))).startsWith("TLS:"));
        assertTrue(ConnectFailure.describe(wrapping(new ConnectException("Connection refused"))).startsWith("refused:"));
        assertTrue(ConnectFailure.describe(new MqttSecurityException(MqttException.REASON_CODE_FAILED_AUTHENTICATION))
                .startsWith("authentication:"));
        assertTrue(ConnectFailure.describe(new MqttSecurityException(MqttException.REASON_CODE_NOT_AUTHORIZED))
                .startsWith("authentication:"));
    }

    @Test
    void aRealClosedLoopbackPortIsReportedAsRefused() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        var client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient("tcp://127.0.0.1:" + closedPort, "test-refused",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        try {
            MqttException failure = org.junit.jupiter.api.Assertions.assertThrows(MqttException.class,
                    () -> client.connect().waitForCompletion(5000));
            assertTrue(ConnectFailure.describe(failure).startsWith("refused:"), ConnectFailure.describe(failure));
        } finally {
            client.close(true);
        }
    }
}
