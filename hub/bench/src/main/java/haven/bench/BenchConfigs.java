package haven.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.protocol.Json;
import java.nio.file.Path;

/** Configs as a school would write them (30 s keepalive, defaults elsewhere), on loopback with free ports. */
final class BenchConfigs {
    static final String SITE = "bench";

    private BenchConfigs() {
    }

    static CoordinatorConfig coordinator(int mqttPort, Path dir) {
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("keepAliveSeconds", 30)
                .put("clientId", "haven-coordinator-bench");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        // Signed commands as in a school: the testkit's key, which every bench hub verifies.
        haven.testkit.Stack.testSigningKey(c, dir);
        return CoordinatorConfig.from(ConfigFile.of("bench coordinator", c));
    }

    static ObjectNode hubJson(String room, int mqttPort, Path dataDir) {
        ObjectNode h = Json.object();
        h.put("site", SITE);
        h.put("room", room);
        h.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("keepAliveSeconds", 30);
        h.putObject("http").put("host", "127.0.0.1").put("port", 0);
        h.put("dataDir", dataDir.toString());
        h.putObject("gpio").put("provider", "mock");
        h.putObject("coordinator").put("publicKey", haven.testkit.Stack.SIGNER.publicKey().encoded());
        return h;
    }

    static HubConfig hub(String room, int mqttPort, Path dataDir) {
        return HubConfig.from(ConfigFile.of("bench hub " + room, hubJson(room, mqttPort, dataDir)));
    }

    static String room(String prefix, int i) {
        return String.format("%s-%05d", prefix, i);
    }
}
