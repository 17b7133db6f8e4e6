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
    void aTeacherPinInPlainTextIsRefusedNamingTheKey() throws Exception {
        String m = hubError("site: s\nroom: r\nkiosk:\n  teacherPin: \"4821\"\n");
        assertTrue(m.contains("kiosk.teacherPin") && m.contains("haven kiosk-pin"), m);
        assertTrue(!m.contains("4821"), "the PIN is not echoed: " + m);
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

    /** The school's own kiosk.categories: what the loader refuses, each time naming the key and not starting. */
    @Test
    void aBadKioskCategoryListIsRefusedNamingTheKey() throws Exception {
        String base = "site: s\nroom: r\naup:\n  keyStage: ks2\nkiosk:\n  categories: ";
        String unknown = hubError(base + "[self-harm, bullying]\n");
        assertTrue(unknown.contains("kiosk.categories") && unknown.contains("unkind-online") && unknown.contains("extremism"),
                "an unknown category names the key and the categories there are: " + unknown);
        String twice = hubError(base + "[self-harm, other, self-harm]\n");
        assertTrue(twice.contains("kiosk.categories") && twice.contains("'self-harm' twice"), twice);
        String tooMany = hubError(base + "[unkind-online, saw-something-upsetting, stranger-contact, nudes-or-sextortion, self-harm,"
                + " pressure-or-coercion, extremism, about-an-adult, other, other]\n");
        assertTrue(tooMany.contains("kiosk.categories") && tooMany.contains("up to 9"), tooMany);
        String notAList = hubError(base + "self-harm\n");
        assertTrue(notAList.contains("kiosk.categories") && notAList.contains("a list"), notAList);
        Path file = dir.resolve("hub.yaml");
        Files.writeString(file, base + "[self-harm, self-harm]\n");
        assertEquals(2, HavenCli.run("hub", "--config", file.toString()), "the hub does not start on a bad list");

        // What it accepts: the school's own list in its order, or [] (and no key) for the key stage's own.
        base = "site: s\nroom: r\ncoordinator:\n  unsignedCommands: true\naup:\n  keyStage: ks2\nkiosk:\n  categories: ";
        Files.writeString(file, base + "[self-harm, about-an-adult, other]\n");
        assertEquals(java.util.List.of(haven.protocol.Category.SELF_HARM, haven.protocol.Category.ABOUT_AN_ADULT, haven.protocol.Category.OTHER),
                HubConfig.from(ConfigFile.load(file)).choices().categories());
        Files.writeString(file, base + "[]\n");
        assertEquals(haven.classroom.KioskChoices.forKeyStage("ks2"), HubConfig.from(ConfigFile.load(file)).choices());
        Files.writeString(file, "site: s\nroom: r\ncoordinator:\n  unsignedCommands: true\naup:\n  keyStage: ks4\n");
        assertEquals(9, HubConfig.from(ConfigFile.load(file)).choices().categories().size(), "KS4's own list without the key");
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
