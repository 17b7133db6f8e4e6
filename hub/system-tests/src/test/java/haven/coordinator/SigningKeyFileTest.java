package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.config.ConfigException;
import haven.config.ConfigFile;
import haven.protocol.CoordinatorKey;
import haven.protocol.CoordinatorSigner;
import haven.protocol.Json;
import haven.protocol.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's command signing key on disk (docs/INSTALL-COORDINATOR.md, "The command signing key"). */
class SigningKeyFileTest {
    private static final String TOPIC = "haven/v1/school/year5/cmd/filter-check";

    @TempDir
    Path dir;

    @Test
    void theKeyIsMadeOwnerOnlyAtFirstStartWithItsPublicHalfAndTheSameKeyIsLoadedAfter() throws Exception {
        Path keyFile = dir.resolve("coordinator-signing.key");

        CoordinatorSigner made = SigningKeyFile.loadOrCreate(keyFile);
        CoordinatorSigner loaded = SigningKeyFile.loadOrCreate(keyFile);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals(made.publicKey().id(), loaded.publicKey().id());
        CoordinatorKey published = CoordinatorKey.parse(Files.readString(dir.resolve("coordinator-signing.pub"), StandardCharsets.US_ASCII));
        byte[] payload = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        new SignatureVerifier(published).verify(TOPIC, loaded.sign(TOPIC, payload)); // the .pub verifies what the key signs
    }

    @Test
    void aKeyOthersMayReadStopsTheStartWithAMessageSayingSo() throws Exception {
        Path keyFile = dir.resolve("coordinator-signing.key");
        SigningKeyFile.loadOrCreate(keyFile);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

        ConfigException refused = assertThrows(ConfigException.class, () -> SigningKeyFile.loadOrCreate(keyFile));
        assertTrue(refused.getMessage().contains("chmod 600"), refused.getMessage());
    }

    @Test
    void theDefaultKeyLivesNextToTheSqliteDatabaseAndSigningKeyFileMovesIt() {
        var c = Json.object();
        c.put("database", dir.resolve("data").resolve("coordinator.db").toString());
        assertEquals(dir.resolve("data").resolve("coordinator-signing.key"),
                CoordinatorConfig.from(ConfigFile.of("coordinator.yaml", c.deepCopy())).signingKey());
        c.putObject("signing").put("keyFile", dir.resolve("elsewhere.key").toString());
        assertEquals(dir.resolve("elsewhere.key"), CoordinatorConfig.from(ConfigFile.of("coordinator.yaml", c)).signingKey());
    }
}
