package haven.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileYamlErrorTest {
    @Test
    void aYamlSyntaxErrorNamesTheFileAndTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hub.yaml");
        Files.writeString(file, "site: s\nroom: r\nmqtt:\n  uri: [tcp\n");
        String message = assertThrows(ConfigException.class, () -> ConfigFile.load(file)).getMessage();
        assertTrue(message.startsWith("config " + file + ": not valid YAML at line "), message);
    }
}
