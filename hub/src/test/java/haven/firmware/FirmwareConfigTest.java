package haven.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.gpio.GpioBoard;
import haven.gpio.GpioPins;
import haven.protocol.RoomId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped Raspberry Pi / server files: samples that the real loaders accept, a provisioning dry run. */
class FirmwareConfigTest {
    private static final Path FIRMWARE = Path.of("../firmware-config");
    private static final Path HUB_YAML = FIRMWARE.resolve("hub.yaml");
    private static final Path COORDINATOR_YAML = FIRMWARE.resolve("coordinator.yaml");

    /** Every key HubConfig.from reads; the sample must show (and so document) each one. */
    private static final Set<String> HUB_KEYS = Set.of("site", "room", "aup.keyStage", "mqtt.uri", "mqtt.username",
            "mqtt.password", "mqtt.clientId", "mqtt.keepAliveSeconds", "mqtt.statusEverySeconds", "http.host", "http.port", "dataDir",
            "gpio.provider", "gpio.button", "gpio.keySwitch", "gpio.greenLed", "gpio.amberLed", "gpio.redLed",
            "gpio.debounceMillis", "worry.coalesceSeconds", "worry.detailSeconds", "outbox.window", "outbox.maxPerSecond",
            "computers", "isolation.backend", "isolation.chooseSeconds", "isolation.nftables.nft", "isolation.nftables.netns",
            "isolation.nftables.allowIp", "isolation.webhook.url", "isolation.webhook.secret", "homeAssistant.enabled");
    private static final Set<String> COORDINATOR_KEYS = Set.of("mqtt.uri", "mqtt.username", "mqtt.password",
            "mqtt.clientId", "mqtt.keepAliveSeconds", "http.host", "http.port", "http.secureCookies", "database",
            "databaseUser", "databasePassword",
            "escalation.ackWithinMinutes", "escalation.endOfDay", "escalation.timeZone", "ingest.repairSeconds", "sites", "retention.days", "mqtt.sharedGroup");

    /** What a real provisioning run would change; the stubs only record that they were called. */
    private static final List<String> MUTATING_COMMANDS = List.of("apt-get", "chroot", "install", "cp", "mv", "mkdir",
            "rm", "ln", "chown", "chgrp", "chmod", "touch", "tee", "systemctl", "systemd-sysusers", "systemd-tmpfiles",
            "useradd", "groupadd");
    private static final List<Path> REAL_TARGETS = List.of(Path.of("/etc/haven"), Path.of("/opt/haven"),
            Path.of("/etc/sysusers.d/haven.conf"), Path.of("/etc/tmpfiles.d/haven.conf"),
            Path.of("/etc/systemd/system/haven-hub.service"), Path.of("/etc/systemd/system/haven-kiosk.service"),
            Path.of("/etc/systemd/system/haven-coordinator.service"), Path.of("/etc/pam.d/haven-kiosk"),
            Path.of("/etc/chromium/policies/managed/haven.json"), Path.of("/etc/mosquitto/conf.d/haven.conf"));

    @TempDir
    Path temp;

    @Test
    void hubSampleLoadsThroughTheHubConfigLoaderWithTheWiringDefaults() {
        HubConfig config = HubConfig.from(ConfigFile.load(HUB_YAML));

        assertEquals(new RoomId("example-school", "room-12"), config.room());
        assertEquals("ks2", config.keyStage());
        assertTrue(config.mqtt().serverUri().startsWith("ssl://"), config.mqtt().serverUri());
        assertEquals("hub-example-school-room-12", config.mqtt().username());
        assertEquals(30, config.mqtt().keepAliveSeconds());
        assertEquals("127.0.0.1", config.httpHost());
        assertEquals(8081, config.httpPort());
        assertEquals(Path.of("/var/lib/haven"), config.dataDir());
        assertEquals(GpioBoard.Provider.AUTO, config.gpioProvider());
        assertEquals(GpioPins.DEFAULT, config.pins());
        assertEquals(50, config.debounceMillis());
        assertEquals(Duration.ofSeconds(10), config.coalesceWindow());
        assertEquals(Duration.ofSeconds(30), config.detailWindow());
        assertEquals(32, config.outboxWindow());
        assertEquals(200, config.outboxMaxPerSecond());
    }

    @Test
    void coordinatorSampleLoadsThroughTheCoordinatorConfigLoader() {
        CoordinatorConfig config = CoordinatorConfig.from(ConfigFile.load(COORDINATOR_YAML));

        assertEquals("tcp://127.0.0.1:1883", config.mqtt().serverUri());
        assertEquals("haven-coordinator", config.mqtt().username());
        assertEquals("haven-coordinator", config.mqtt().clientId());
        assertFalse(config.mqtt().cleanSession(), "the coordinator keeps a persistent session");
        assertEquals("127.0.0.1", config.httpHost());
        assertEquals(8080, config.httpPort());
        assertTrue(config.secureCookies());
        assertEquals(Path.of("/var/lib/haven/coordinator.db"), config.database().file());
        assertEquals(Duration.ofMinutes(10), config.ackWithin());
    }

    @Test
    void samplesShowEveryKeyTheLoadersReadAndNoOther() throws IOException {
        assertEquals(new TreeSet<>(HUB_KEYS), leafKeys(HUB_YAML));
        assertEquals(new TreeSet<>(COORDINATOR_KEYS), leafKeys(COORDINATOR_YAML));
    }

    @Test
    void provisionHubDryRunNamesTheUnitsItWouldInstallAndWritesNothing() throws Exception {
        Result result = dryRun("hub");

        assertEquals(0, result.exit(), result.output());
        for (String unit : List.of("haven-hub.service", "haven-kiosk.service", "haven-hub-health.service",
                "haven-hub-health.timer")) {
            assertTrue(result.output().contains("/etc/systemd/system/" + unit), unit + " missing from:\n" + result.output());
        }
        assertTrue(result.output().contains("/opt/haven/haven.jar"), result.output());
        assertTrue(result.output().contains("/etc/haven/hub.yaml"), result.output());
        assertTrue(result.output().contains("systemctl --root=" + result.root() + " enable"), result.output());
    }

    @Test
    void provisionCoordinatorDryRunNamesItsUnitAndBrokerConfigAndWritesNothing() throws Exception {
        Result result = dryRun("coordinator");

        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("/etc/systemd/system/haven-coordinator.service"), result.output());
        assertTrue(result.output().contains("/etc/mosquitto/conf.d/haven.conf"), result.output());
        assertFalse(result.output().contains("haven-kiosk.service"), result.output());
    }

    private record Result(int exit, String output, Path root) {
    }

    /**
     * Runs provision.sh --dry-run against an empty --root with every command that could change a system
     * replaced by a stub that only records its call, and checks that nothing was written: not in the root,
     * not in the real system paths, and no stub was called.
     */
    private Result dryRun(String role) throws Exception {
        Path root = Files.createDirectory(temp.resolve("root"));
        Path jar = Files.writeString(temp.resolve("haven.jar"), "not really a jar");
        Path stubs = Files.createDirectory(temp.resolve("stubs"));
        Path calls = temp.resolve("calls.log");
        for (String command : MUTATING_COMMANDS) {
            Path stub = stubs.resolve(command);
            Files.writeString(stub, "#!/bin/sh\necho \"$0 $*\" >> '" + calls + "'\nexit 0\n");
            assertTrue(stub.toFile().setExecutable(true));
        }
        Map<Path, Boolean> existedBefore = new HashMap<>();
        REAL_TARGETS.forEach(p -> existedBefore.put(p, Files.exists(p)));

        ProcessBuilder builder = new ProcessBuilder("bash", FIRMWARE.resolve("provision.sh").toString(),
                "--role", role, "--dry-run", "--root", root.toString(), "--jar", jar.toString())
                .redirectErrorStream(true);
        builder.environment().put("PATH", stubs + ":" + System.getenv("PATH"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "provision.sh did not finish");

        try (Stream<Path> written = Files.list(root)) {
            assertEquals(List.of(), written.toList(), "dry run wrote into --root");
        }
        assertFalse(Files.exists(calls), () -> "dry run called commands that change the system:\n" + readQuietly(calls));
        REAL_TARGETS.forEach(p -> assertEquals(existedBefore.get(p), Files.exists(p), "dry run touched " + p));
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(Set.of("root", "haven.jar", "stubs"),
                    Set.copyOf(left.map(p -> p.getFileName().toString()).toList()), "dry run wrote beside --root");
        }
        return new Result(process.exitValue(), output, root);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static TreeSet<String> leafKeys(Path yaml) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
        TreeSet<String> keys = new TreeSet<>();
        collect("", root, keys);
        return keys;
    }

    private static void collect(String prefix, JsonNode node, TreeSet<String> keys) {
        if (!node.isObject()) {
            keys.add(prefix);
            return;
        }
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        for (String name : names) {
            collect(prefix.isEmpty() ? name : prefix + "." + name, node.get(name), keys);
        }
    }
}
