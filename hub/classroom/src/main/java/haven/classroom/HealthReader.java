package haven.classroom;

import haven.classroom.isolation.ExternalCommand;
import haven.protocol.HubHealth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reads the hub's health for its retained status from the places a Pi's OS keeps it. The clock: a Pi has no
 * real-time clock, so until NTP answers its time is whatever it was at the last shutdown.
 * systemd-timesyncd touches /run/systemd/timesync/synchronized once it has synchronised; with chrony (or
 * anything else that disciplines the kernel clock) {@code timedatectl show -p NTPSynchronized} says so.
 */
public final class HealthReader {
    public static final Path TIMESYNCD_FLAG = Path.of("/run/systemd/timesync/synchronized");
    public static final Path TIMEDATECTL = Path.of("/usr/bin/timedatectl");
    public static final Path PROC_UPTIME = Path.of("/proc/uptime");
    public static final Path THERMAL_ZONE = Path.of("/sys/class/thermal/thermal_zone0/temp");

    private final Path timesyncdFlag;
    private final Optional<Path> timedatectl;
    private final Path procUptime;
    private final Path thermalZone;
    private final Path dataDir;
    private final LongSupplier outboxDepth;

    public HealthReader(Path timesyncdFlag, Optional<Path> timedatectl, Path procUptime, Path thermalZone, Path dataDir,
                        LongSupplier outboxDepth) {
        this.timesyncdFlag = timesyncdFlag;
        this.timedatectl = timedatectl;
        this.procUptime = procUptime;
        this.thermalZone = thermalZone;
        this.dataDir = dataDir;
        this.outboxDepth = outboxDepth;
    }

    /** The real places on this machine. */
    public static HealthReader system(Path dataDir, LongSupplier outboxDepth) {
        return new HealthReader(TIMESYNCD_FLAG, Optional.of(TIMEDATECTL), PROC_UPTIME, THERMAL_ZONE, dataDir, outboxDepth);
    }

    public HubHealth read() {
        return new HubHealth(clockSynced(), diskFree(), outboxDepth.getAsLong(), uptime(), temperature());
    }

    boolean clockSynced() {
        if (Files.exists(timesyncdFlag)) {
            return true;
        }
        if (timedatectl.isPresent() && Files.isExecutable(timedatectl.get())) {
            try {
                ExternalCommand.Outcome out = ExternalCommand.run(List.of(timedatectl.get().toString(), "show", "-p",
                        "NTPSynchronized", "--value"), null, Duration.ofSeconds(2));
                return out.ok() && out.stdout().strip().equals("yes");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private long diskFree() {
        try {
            Path existing = dataDir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing == null ? 0 : Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    private long uptime() {
        try {
            String first = Files.readString(procUptime, StandardCharsets.US_ASCII).strip().split("\\s+")[0];
            return (long) Double.parseDouble(first);
        } catch (IOException | RuntimeException e) {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        }
    }

    private Optional<Double> temperature() {
        try {
            return Optional.of(Long.parseLong(Files.readString(thermalZone, StandardCharsets.US_ASCII).strip()) / 1000.0);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
