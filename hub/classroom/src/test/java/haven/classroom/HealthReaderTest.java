package haven.classroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.protocol.HubHealth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health reader against state files laid out in a temp dir as a Pi's OS lays them out. */
class HealthReaderTest {
    @TempDir
    Path dir;

    private HealthReader reader() {
        return new HealthReader(dir.resolve("run/systemd/timesync/synchronized"), Optional.empty(), dir.resolve("proc/uptime"),
                dir.resolve("sys/thermal_zone0/temp"), dir, () -> 7);
    }

    @Test
    void withoutTimesyncdsFlagTheClockIsNotSynchronisedAndMissingSysFilesAreLeftOut() {
        HubHealth health = reader().read();
        assertFalse(health.clockSynced());
        assertTrue(health.cpuTemperatureCelsius().isEmpty());
        assertEquals(7, health.outboxDepth());
        assertTrue(health.diskFreeBytes() > 0);
        assertFalse(health.toJson().has("cpuTemperatureCelsius"));
    }

    @Test
    void theFlagFileUptimeAndThermalZoneAreRead() throws Exception {
        Files.createDirectories(dir.resolve("run/systemd/timesync"));
        Files.writeString(dir.resolve("run/systemd/timesync/synchronized"), "");
        Files.createDirectories(dir.resolve("proc"));
        Files.writeString(dir.resolve("proc/uptime"), "3600.52 7000.10\n");
        Files.createDirectories(dir.resolve("sys/thermal_zone0"));
        Files.writeString(dir.resolve("sys/thermal_zone0/temp"), "48312\n");
        HubHealth health = reader().read();
        assertTrue(health.clockSynced());
        assertEquals(3600, health.uptimeSeconds());
        assertEquals(48.312, health.cpuTemperatureCelsius().orElseThrow(), 0.0001);
        assertEquals(48.3, health.toJson().get("cpuTemperatureCelsius").asDouble(), 0.0001);
        assertEquals(health.clockSynced(), HubHealth.fromJson(health.toJson()).orElseThrow().clockSynced());
    }
}
