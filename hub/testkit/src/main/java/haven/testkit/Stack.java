package haven.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.protocol.Json;
import java.nio.file.Path;

/** Configs for tests: everything on loopback, free ports, files under a temp dir. */
public final class Stack {
    private Stack() {
    }

    public static CoordinatorConfig coordinator(int mqttPort, Path dir) {
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("keepAliveSeconds", 5)
                .put("clientId", "coordinator-" + Long.toHexString(System.nanoTime()));
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        c.putObject("ingest").put("repairSeconds", 1);
        return CoordinatorConfig.from(ConfigFile.of("test coordinator", c));
    }

    public static HubConfig hub(String room, int mqttPort, Path dir) {
        return HubConfig.from(ConfigFile.of("test hub", hubJson(room, mqttPort, dir)));
    }

    public static ObjectNode hubJson(String room, int mqttPort, Path dir) {
        ObjectNode h = Json.object();
        h.put("site", "test-school");
        h.put("room", room);
        h.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("keepAliveSeconds", 2).put("statusEverySeconds", 1);
        h.putObject("http").put("host", "127.0.0.1").put("port", 0);
        h.put("dataDir", dir.toString());
        h.putObject("gpio").put("provider", "mock");
        return h;
    }
}
