package haven.demo;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moquette as a plain object: the broker of the demo and of the quick tests. Listens on 127.0.0.1 only,
 * anonymous access (it never leaves the machine), telemetry off. Production uses Mosquitto.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Server server = new Server();
    private final int port;

    private EmbeddedBroker(int port) {
        this.port = port;
    }

    /** Starts on {@code port}; {@code dataDir} keeps sessions and retained messages across restarts. */
    public static EmbeddedBroker start(int port, Path dataDir) throws IOException {
        Properties props = new Properties();
        props.setProperty("host", "127.0.0.1");
        props.setProperty("port", Integer.toString(port));
        props.setProperty("websocket_port", "disabled");
        props.setProperty("allow_anonymous", "true");
        props.setProperty("telemetry_enabled", "false");
        // mosquitto_sub 2.x sends an empty client id and lets the broker choose; allow it, as Mosquitto does.
        props.setProperty("allow_zero_byte_client_id", "true");
        props.setProperty("netty.mqtt.message_size", Integer.toString(256 * 1024));
        if (dataDir != null) {
            props.setProperty("persistence_enabled", "true");
            props.setProperty("data_path", dataDir.toAbsolutePath().toString() + "/");
        } else {
            props.setProperty("persistence_enabled", "false");
        }
        EmbeddedBroker broker = new EmbeddedBroker(port);
        broker.server.startServer(new MemoryConfig(props));
        log.info("embedded broker listening url=tcp://127.0.0.1:{}", port);
        return broker;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
