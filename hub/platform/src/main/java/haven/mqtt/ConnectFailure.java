package haven.mqtt;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Why a connection to the broker failed, in words a technician can act on. Paho reports most failures as
 * a bare "MqttException" whose cause or reason code holds the real story.
 */
final class ConnectFailure {
    private ConnectFailure() {
    }

    static String describe(MqttException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException) {
                return "DNS: the broker's host name does not resolve (" + cause.getMessage() + "); check mqtt.uri";
            }
            if (cause instanceof SSLException) {
                return "TLS: " + cause.getMessage() + "; check that this machine trusts the broker's CA and that its certificate names this host";
            }
            if (cause instanceof ConnectException) {
                return "refused: nothing accepts connections at that address and port; is the broker running, is the port right?";
            }
            if (cause instanceof NoRouteToHostException) {
                return "no route to the broker's host: check the network or a firewall";
            }
            if (cause instanceof SocketTimeoutException) {
                return "timed out reaching the broker: check the network or a firewall";
            }
        }
        return switch (e.getReasonCode()) {
            case MqttException.REASON_CODE_FAILED_AUTHENTICATION ->
                    "authentication: the broker refused the user name or password (mqtt.username, mqtt.password)";
            case MqttException.REASON_CODE_NOT_AUTHORIZED ->
                    "authentication: the broker does not allow this account or client id (see its ACL)";
            case MqttException.REASON_CODE_CLIENT_TIMEOUT -> "timed out waiting for the broker to answer";
            case MqttException.REASON_CODE_CONNECTION_LOST -> "the broker closed the connection during the handshake";
            default -> e.getMessage() + " (Paho reason " + e.getReasonCode() + ")";
        };
    }
}
