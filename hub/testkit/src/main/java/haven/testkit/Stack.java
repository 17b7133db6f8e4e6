package haven.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.SigningKeyFile;
import haven.protocol.CoordinatorSigner;
import haven.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Base64;
import java.nio.file.Path;

/** Configs for tests: everything on loopback, free ports, files under a temp dir. */
public final class Stack {
    /**
     * The coordinator signing key every test school uses (docs/SECURITY.md, "Signed commands"): fixed, so a hub's
     * config can name its public half before or after the coordinator starts. A test key only: never on a Pi.
     */
    public static final CoordinatorSigner SIGNER = CoordinatorSigner.of(
            Base64.getDecoder().decode("MC4CAQAwBQYDK2VwBCIEIL+gyfj39LtiXPbuSccSZ2xnL3EEAywkqLsV/bCuHL3w"),
            Base64.getDecoder().decode("MCowBQYDK2VwAyEAvenKyacaTyJbE+TgUNXLD28qFJc/1i0HeIVrpmtOo20="));

    private Stack() {
    }

    /**
     * Gives a coordinator config the test signing key: writes it (owner-only) under {@code dir} and names it in
     * {@code signing.keyFile}, so the hubs of {@link #hubJson} verify what this coordinator signs.
     */
    public static ObjectNode testSigningKey(ObjectNode coordinatorYaml, Path dir) {
        Path keyFile = dir.resolve("coordinator-signing.key");
        try {
            if (!Files.exists(keyFile)) {
                SigningKeyFile.save(keyFile, SIGNER);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        coordinatorYaml.with("signing").put("keyFile", keyFile.toString());
        return coordinatorYaml;
    }

    public static CoordinatorConfig coordinator(int mqttPort, Path dir) {
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqttPort).put("keepAliveSeconds", 5)
                .put("clientId", "coordinator-" + Long.toHexString(System.nanoTime()));
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        c.putObject("ingest").put("repairSeconds", 1);
        testSigningKey(c, dir);
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
        h.putObject("coordinator").put("publicKey", SIGNER.publicKey().encoded());
        return h;
    }
}
