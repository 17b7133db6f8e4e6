package haven.coordinator.notify;

import haven.testkit.Repository;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The notify: example in docs/NOTIFICATIONS.md is what a school copies: it must load as written. */
class NotificationsDocTest {
    private static final Path DOC = Repository.file("docs/NOTIFICATIONS.md");

    @Test
    void theDocumentedExampleLoadsThroughTheCoordinatorConfigLoader() throws Exception {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("```yaml\nnotify:");
        assertTrue(start >= 0, "docs/NOTIFICATIONS.md has a ```yaml notify: example");
        String yaml = doc.substring(start + "```yaml\n".length(), doc.indexOf("```", start + 7));
        ObjectNode root = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(yaml);
        root.put("database", "/tmp/never-opened.db");
        NotifyConfig n = CoordinatorConfig.from(ConfigFile.of("docs/NOTIFICATIONS.md", root)).alerts().orElseThrow();
        assertEquals(List.of("dsl", "deputy-dsl"), n.ladder(AlertKind.WORRY, true).get(0).contacts());
        assertEquals(List.of("on-call"), n.ladder(AlertKind.WORRY, false).get(0).contacts());
        assertEquals(List.of("email", "push", "webhook:dsl-phone"), n.contacts().get("dsl").channels());
        assertEquals(List.of("technician"), n.ladder(AlertKind.FILTER_CHECK_FAILED, true).get(0).contacts());
        assertEquals(List.of("technician"), n.ladder(AlertKind.HUB_OFFLINE, false).get(0).contacts(),
                "out of hours a kind without an out-of-hours ladder keeps its own, not the on-call worry one");
        assertEquals(java.time.Duration.ofMinutes(10), n.hubOffline());
        for (AlertKind kind : AlertKind.values()) {
            if (kind.hasLadder()) {
                assertTrue(doc.contains("`" + kind.wire() + "`") || doc.contains(kind.wire() + ":"), "the page documents " + kind.wire());
            }
        }
    }
}
