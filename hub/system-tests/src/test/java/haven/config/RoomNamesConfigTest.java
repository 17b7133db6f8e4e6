package haven.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.coordinator.CoordinatorConfig;
import haven.coordinator.RoomNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** coordinator.yaml's rooms: what the dashboard calls each classroom, checked like every other key. */
class RoomNamesConfigTest {
    @TempDir
    Path dir;

    private CoordinatorConfig load(String yaml) throws Exception {
        Path file = dir.resolve("coordinator.yaml");
        Files.writeString(file, yaml);
        return CoordinatorConfig.from(ConfigFile.load(file));
    }

    @Test
    void namesAreReadAndARoomWithoutOneShowsItsId() throws Exception {
        RoomNames names = load("rooms:\n  year3-oak: \"Year 3 Oak\"\n  year5: Year 5\n").roomNames();
        assertEquals(Map.of("year3-oak", "Year 3 Oak", "year5", "Year 5"), names.byRoom());
        assertEquals("Year 3 Oak", names.of("year3-oak"));
        assertEquals("year6-ash", names.of("year6-ash"));
        assertEquals(Map.of(), load("escalation:\n  ackWithinMinutes: 5\n").roomNames().byRoom());
    }

    @Test
    void aBadRoomIdOrNameIsRefusedNamingTheKey() throws Exception {
        String id = assertThrows(ConfigException.class, () -> load("rooms:\n  Year3_Oak: Year 3 Oak\n")).getMessage();
        assertTrue(id.contains("rooms.Year3_Oak") && id.contains("room id"), id);
        String list = assertThrows(ConfigException.class, () -> load("rooms:\n  - year3-oak\n")).getMessage();
        assertTrue(list.contains("rooms") && list.contains("map of room id"), list);
        String longName = assertThrows(ConfigException.class, () -> load("rooms:\n  year5: " + "x".repeat(61) + "\n")).getMessage();
        assertTrue(longName.contains("rooms.year5") && longName.contains("60"), longName);
    }
}
