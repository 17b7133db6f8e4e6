package haven.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.classroom.HubConfig;
import haven.cli.HavenCli;
import haven.coordinator.CoordinatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A technician's mistake in a config file gets one line naming the file and the key, and no start. */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    private String hubError(String yaml) throws Exception {
        Path file = dir.resolve("hub.yaml");
        Files.writeString(file, yaml);
        String message = assertThrows(ConfigException.class, () -> HubConfig.from(ConfigFile.load(file))).getMessage();
        assertTrue(message.startsWith("config " + file + ":"), message);
        return message;
    }

    @Test
    void aBadPinNamesTheKeyAndTheAllowedRange() throws Exception {
        String m = hubError("site: s\nroom: r\ngpio:\n  button: 40\n");
        assertTrue(m.contains("gpio.button") && m.contains("2..27") && m.contains("40"), m);
    }

    @Test
    void aBadRoomIdNamesTheKey() throws Exception {
        String m = hubError("site: s\nroom: Year 5\n");
        assertTrue(m.contains("room") && m.contains("Year 5"), m);
    }

    @Test
    void aReservedRoomIdIsRefusedNamingTheKey() throws Exception {
        String m = hubError("site: s\nroom: aup\n");
        assertTrue(m.contains("room") && m.contains("reserved"), m);
    }

    @Test
    void missingRequiredKeysAreNamed() throws Exception {
        assertTrue(hubError("room: r\n").contains("site must be set"));
    }

    @Test
    void wrongTypesAndUnknownChoicesAreNamed() throws Exception {
        assertTrue(hubError("site: s\nroom: r\nmqtt:\n  keepAliveSeconds: soon\n").contains("mqtt.keepAliveSeconds"));
        assertTrue(hubError("site: s\nroom: r\ngpio:\n  provider: magic\n").contains("gpio.provider"));
        assertTrue(hubError("site: s\nroom: r\naup:\n  keyStage: ks9\n").contains("aup.keyStage"));
        assertTrue(hubError("site: s\nroom: r\nmqtt:\n  uri: http://broker\n").contains("mqtt.uri"));
    }

    @Test
    void brokenYamlAndMissingFilesSayWhich() throws Exception {
        assertTrue(hubError("site: [unclosed\n").contains("not valid YAML"));
        assertTrue(hubError("").contains("empty"));
        Path missing = dir.resolve("nope.yaml");
        String m = assertThrows(ConfigException.class, () -> ConfigFile.load(missing)).getMessage();
        assertTrue(m.contains(missing.toString()) && m.contains("cannot read"), m);
    }

    @Test
    void coordinatorConfigErrorsNameTheKeyToo() throws Exception {
        Path file = dir.resolve("coordinator.yaml");
        Files.writeString(file, "escalation:\n  ackWithinMinutes: 0\n");
        String m = assertThrows(ConfigException.class, () -> CoordinatorConfig.from(ConfigFile.load(file))).getMessage();
        assertTrue(m.contains("escalation.ackWithinMinutes") && m.contains("1..1440"), m);
    }

    @Test
    void aMisspeltKeyIsRefusedAndTheKnownOnesAreSuggested() throws Exception {
        String m = hubError("site: s\nroom: r\ngpio:\n  buton: 17\n");
        assertTrue(m.contains("unknown key 'gpio.buton'") && m.contains("gpio.button"), m);
        assertTrue(hubError("site: s\nroom: r\nnonsense: 1\n").contains("unknown key 'nonsense'"));
        Path file = dir.resolve("coordinator.yaml");
        Files.writeString(file, "escalation:\n  ackWithin: 5\n");
        String c = assertThrows(ConfigException.class, () -> CoordinatorConfig.from(ConfigFile.load(file))).getMessage();
        assertTrue(c.contains("unknown key 'escalation.ackWithin'") && c.contains("escalation.ackWithinMinutes"), c);
    }

    @Test
    void theCommandExitsWithTwoInsteadOfStartingOnABadConfig() throws Exception {
        Path file = dir.resolve("hub.yaml");
        Files.writeString(file, "site: s\nroom: r\ngpio:\n  button: 99\n");
        assertEquals(2, HavenCli.run("hub", "--config", file.toString()));
    }

    @Test
    void theUnblockWebhookNeedsAnHttpUrlAndALongSecretNamingTheKey() throws Exception {
        Path file = dir.resolve("coordinator.yaml");
        Files.writeString(file, "filter:\n  unblockWebhook:\n    url: https://filter.example.org/api\n    secret: short\n");
        String m = assertThrows(ConfigException.class, () -> CoordinatorConfig.from(ConfigFile.load(file))).getMessage();
        assertTrue(m.contains("filter.unblockWebhook.secret") && m.contains("16"), m);
        Files.writeString(file, "filter:\n  unblockWebhook:\n    url: ftp://filter.example.org/\n    secret: a-long-enough-secret\n");
        m = assertThrows(ConfigException.class, () -> CoordinatorConfig.from(ConfigFile.load(file))).getMessage();
        assertTrue(m.contains("filter.unblockWebhook.url"), m);
        Files.writeString(file, "filter:\n  unblockWebhook:\n    secret: a-long-enough-secret\n");
        m = assertThrows(ConfigException.class, () -> CoordinatorConfig.from(ConfigFile.load(file))).getMessage();
        assertTrue(m.contains("filter.unblockWebhook.url"), m);
        Files.writeString(file, "filter:\n  unblockWebhook:\n    url: https://filter.example.org/api\n    secret: a-long-enough-secret\n");
        assertEquals("https://filter.example.org/api",
                CoordinatorConfig.from(ConfigFile.load(file)).filter().unblockWebhook().orElseThrow().url().toString());
    }
}
