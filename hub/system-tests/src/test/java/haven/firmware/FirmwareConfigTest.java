package haven.firmware;

import haven.testkit.Repository;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.CoordinatorConfig;
import haven.classroom.gpio.GpioBoard;
import haven.classroom.gpio.GpioPins;
import haven.protocol.RoomId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped Raspberry Pi / server files: samples that the real loaders accept, a provisioning dry run. */
class FirmwareConfigTest {
    private static final Path FIRMWARE = Repository.file("firmware-config");
    private static final Path HUB_YAML = FIRMWARE.resolve("hub.yaml");
    private static final Path COORDINATOR_YAML = FIRMWARE.resolve("coordinator.yaml");

    /** Every key HubConfig.from reads; the sample must show (and so document) each one. */
    private static final Set<String> HUB_KEYS = Set.of("site", "room", "aup.keyStage", "mqtt.uri", "mqtt.username",
            "mqtt.password", "mqtt.clientId", "mqtt.keepAliveSeconds", "mqtt.statusEverySeconds", "http.host", "http.port", "dataDir",
            "gpio.provider", "gpio.button", "gpio.keySwitch", "gpio.greenLed", "gpio.amberLed", "gpio.redLed",
            "gpio.debounceMillis", "gpio.buttonReleaseMillis", "worry.coalesceSeconds", "worry.detailSeconds", "outbox.window", "outbox.maxPerSecond",
            "computers", "isolation.backend", "isolation.chooseSeconds", "isolation.nftables.nft", "isolation.nftables.netns",
            "isolation.nftables.allowIp", "isolation.webhook.url", "isolation.webhook.secret", "homeAssistant.enabled", "kiosk.mode", "kiosk.categories", "followUp.key",
            "filter.everyHours", "filter.timeoutMillis", "filter.byteCap", "coordinator.publicKey", "coordinator.unsignedCommands");
    private static final Set<String> COORDINATOR_KEYS = Set.of("mqtt.uri", "mqtt.username", "mqtt.password",
            "mqtt.clientId", "mqtt.keepAliveSeconds", "http.host", "http.port", "http.secureCookies", "database",
            "databaseUser", "databasePassword",
            "escalation.ackWithinMinutes", "escalation.endOfDay", "escalation.timeZone", "evidence.headEverySeconds", "ingest.repairSeconds", "sites", "retention.days", "mqtt.sharedGroup", "followUp.key",
            "filter.targets", "filter.blockPageSignatures", "filter.interceptionIssuers", "filter.sinkholes",
            "filter.unblockWebhook.url", "filter.unblockWebhook.secret", "rooms.year3-oak",
            "http.trustedProxies", "auth.requireTotpFor", "signing.keyFile", "buttonTests.dueDays");

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

    @Test
    void provisionHubIntoARootGivesTheExpectedTreeAndASecondRunOrADryRunChangesNothing() throws Exception {
        requireRootAndSystemdTools();
        Path root = Files.createDirectory(temp.resolve("image"));
        // A Raspberry Pi OS boot partition with a setting of its own, which provisioning must keep.
        Files.createDirectories(root.resolve("boot/firmware"));
        Files.writeString(root.resolve("boot/firmware/config.txt"), "dtparam=audio=on\n");
        Path jar = Files.writeString(temp.resolve("haven.jar"), "a stand-in for the haven jar");

        Provisioned first = provision(root, jar, "--no-packages");
        assertEquals(0, first.exit(), first.output());
        Map<String, String> afterFirst = snapshot(root);
        for (String path : List.of("opt/haven/haven.jar", "opt/haven/bin/kiosk.sh", "opt/haven/bin/hub-health.sh",
                "etc/haven/hub.yaml", "etc/sysusers.d/haven.conf", "etc/tmpfiles.d/haven.conf",
                "etc/systemd/system/haven-hub.service", "etc/systemd/system/haven-kiosk.service",
                "etc/systemd/system/haven-hub-health.service", "etc/systemd/system/haven-hub-health.timer",
                "etc/systemd/system/multi-user.target.wants/haven-hub.service",
                "etc/systemd/system/graphical.target.wants/haven-kiosk.service",
                "etc/systemd/system/timers.target.wants/haven-hub-health.timer",
                "etc/systemd/system.conf.d/haven-watchdog.conf", "etc/pam.d/haven-kiosk",
                "etc/chromium/policies/managed/haven.json", "usr/share/doc/haven/OPERATIONS.md",
                "var/lib/haven", "var/lib/haven-kiosk")) {
            assertTrue(afterFirst.containsKey(path), path + " missing after provisioning:\n" + first.output());
        }
        assertEquals(Files.readString(jar), Files.readString(root.resolve("opt/haven/haven.jar")));
        assertTrue(afterFirst.get("opt/haven/bin/kiosk.sh").startsWith("file rwxr-xr-x 0:0 "), afterFirst.get("opt/haven/bin/kiosk.sh"));
        assertTrue(afterFirst.get("etc/haven/hub.yaml").startsWith("file rw-r----- 0:"), "hub.yaml holds the broker password");
        assertTrue(afterFirst.get("var/lib/haven").startsWith("dir rwxr-x--- "), afterFirst.get("var/lib/haven"));
        assertTrue(Files.readString(root.resolve("etc/passwd")).contains("haven-kiosk:"), "sysusers made the kiosk user");
        String config = Files.readString(root.resolve("boot/firmware/config.txt"));
        assertTrue(config.startsWith("dtparam=audio=on\n# BEGIN haven"), config);
        assertTrue(config.strip().endsWith("# END haven"), config);

        Provisioned second = provision(root, jar, "--no-packages");
        assertEquals(0, second.exit(), second.output());
        assertEquals(afterFirst, snapshot(root), "the second run changed the tree:\n" + second.output());
        assertFalse(second.output().contains("run: install"), second.output());

        Provisioned dry = provision(root, jar, "--no-packages", "--dry-run");
        assertEquals(0, dry.exit(), dry.output());
        assertEquals(afterFirst, snapshot(root), "the dry run changed the tree:\n" + dry.output());
    }

    private record Provisioned(int exit, String output) {
    }

    private static Provisioned provision(Path root, Path jar, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", FIRMWARE.resolve("provision.sh").toString(),
                "--role", "hub", "--root", root.toString(), "--jar", jar.toString()));
        command.addAll(List.of(flags));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "provision.sh did not finish");
        return new Provisioned(process.exitValue(), output);
    }

    /**
     * Every path under root with what a change would alter: type, mode, owner, and for files size, SHA-256 and
     * modification time (a rewrite with the same bytes is still a change). A directory's own modification time
     * is left out: systemd-sysusers takes its lock file in /etc on every run, even when it has nothing to do.
     */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(p -> !p.equals(root)).toList()) {
                String key = root.relativize(path).toString();
                if (Files.isSymbolicLink(path)) {
                    tree.put(key, "link -> " + Files.readSymbolicLink(path));
                    continue;
                }
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
                String owner = Files.getAttribute(path, "unix:uid") + ":" + Files.getAttribute(path, "unix:gid");
                if (Files.isDirectory(path)) {
                    tree.put(key, "dir " + mode + " " + owner);
                } else {
                    tree.put(key, "file " + mode + " " + owner + " " + Files.size(path) + " "
                            + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path)))
                            + " " + Files.getLastModifiedTime(path).toMillis());
                }
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        return tree;
    }

    /** A real run sets owners and writes users, so it needs root and systemd's offline tools. */
    private static void requireRootAndSystemdTools() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "a real provision.sh run into --root needs root (it sets file owners)";
        } else {
            for (String tool : List.of("systemd-sysusers", "systemd-tmpfiles", "systemctl")) {
                if (Stream.of(System.getenv("PATH").split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
                    why = "needs " + tool + " (Debian package systemd)";
                }
            }
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run runs as root with systemd installed");
            }
            Assumptions.abort(why);
        }
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
