package haven.classroom;

import haven.protocol.KeyStages;

import haven.config.ConfigFile;
import haven.classroom.gpio.GpioBoard;
import haven.classroom.gpio.GpioPins;
import haven.mqtt.MqttSettings;
import haven.protocol.Ids;
import haven.protocol.RoomId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Everything a classroom hub is told by its hub.yaml (firmware-config/hub.yaml documents each key). */
public record HubConfig(RoomId room, String keyStage, MqttSettings mqtt, String httpHost, int httpPort,
                        Path dataDir, GpioBoard.Provider gpioProvider, GpioPins pins, long debounceMillis,
                        Duration coalesceWindow, Duration detailWindow, int outboxWindow, int outboxMaxPerSecond,
                        Duration statusEvery, IsolationSettings isolation, boolean homeAssistant,
                        long buttonReleaseMillis, KioskMode kioskMode, java.util.Optional<String> followUpKey,
                        KioskChoices choices, haven.classroom.filter.FilterSettings filter,
                        java.util.Optional<TeacherPin> teacherPin,
                        java.util.Optional<haven.protocol.CoordinatorKey> coordinatorKey) {

    public static HubConfig from(ConfigFile file) {
        String site = file.checked("site", () -> Ids.require("site", file.string("site")));
        String room = file.checked("room", () -> RoomId.requireRoom(file.string("room")));
        String keyStage = file.string("aup.keyStage", "ks2");
        if (!KeyStages.ALL.contains(keyStage)) {
            throw file.error("aup.keyStage", "one of " + KeyStages.ALL);
        }
        String uri = file.string("mqtt.uri", "tcp://127.0.0.1:1883");
        if (!uri.startsWith("tcp://") && !uri.startsWith("ssl://")) {
            throw file.error("mqtt.uri", "a tcp:// or ssl:// broker address");
        }
        String password = file.optionalString("mqtt.password").orElse(null);
        MqttSettings mqtt = new MqttSettings(uri, file.string("mqtt.clientId", "hub-" + site + "-" + room),
                file.optionalString("mqtt.username").orElse(null), password == null ? null : password.toCharArray(),
                file.integer("mqtt.keepAliveSeconds", 30, 2, 600), true);
        GpioBoard.Provider provider;
        try {
            provider = GpioBoard.Provider.valueOf(file.string("gpio.provider", "auto").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw file.error("gpio.provider", "auto, mock or gpiod");
        }
        GpioPins pins = file.checked("gpio", () -> new GpioPins(
                file.integer("gpio.button", GpioPins.DEFAULT.button(), 0, 99),
                file.integer("gpio.keySwitch", GpioPins.DEFAULT.keySwitch(), 0, 99),
                file.integer("gpio.greenLed", GpioPins.DEFAULT.greenLed(), 0, 99),
                file.integer("gpio.amberLed", GpioPins.DEFAULT.amberLed(), 0, 99),
                file.integer("gpio.redLed", GpioPins.DEFAULT.redLed(), 0, 99)));
        HubConfig config = new HubConfig(new RoomId(site, room), keyStage, mqtt,
                file.string("http.host", "127.0.0.1"), file.integer("http.port", 8081, 0, 65535),
                Path.of(file.string("dataDir", "/var/lib/haven")), provider, pins,
                file.integer("gpio.debounceMillis", 50, 0, 1000),
                Duration.ofSeconds(file.integer("worry.coalesceSeconds", 10, 0, 600)),
                Duration.ofSeconds(file.integer("worry.detailSeconds", 30, 5, 600)),
                file.integer("outbox.window", 32, 1, 256),
                file.integer("outbox.maxPerSecond", 200, 1, 10_000),
                Duration.ofSeconds(file.integer("mqtt.statusEverySeconds", 30, 1, 3600)),
                IsolationSettings.from(file),
                file.bool("homeAssistant.enabled", false),
                file.integer("gpio.buttonReleaseMillis", 15, 1, 200),
                KioskMode.from(file),
                file.optionalString("followUp.key").map(key -> {
                    if (key.length() < haven.protocol.FollowUpCode.MIN_KEY_CHARS) {
                        throw file.error("followUp.key", "at least " + haven.protocol.FollowUpCode.MIN_KEY_CHARS
                                + " characters, the same on every hub of the school and on the coordinator");
                    }
                    return key;
                }),
                KioskChoices.from(file, keyStage), haven.classroom.filter.FilterSettings.from(file),
                file.optionalString("kiosk.teacherPin").map(hash -> {
                    try {
                        return TeacherPin.parse(hash);
                    } catch (IllegalArgumentException e) {
                        // Not file.error: that echoes the value, and a mistaken value may be the PIN itself.
                        throw new haven.config.ConfigException("config " + file.name() + ": kiosk.teacherPin must be " + e.getMessage());
                    }
                }), coordinatorKey(file));
        file.rejectUnknownKeys();
        // After the unknown keys: a misspelt coordinator.publicKey is better told as the misspelling.
        if (config.coordinatorKey().isEmpty() && !file.bool("coordinator.unsignedCommands", false)) {
            throw new haven.config.ConfigException("config " + file.name() + ": coordinator.publicKey must be set to the text of"
                    + " the coordinator's coordinator-signing.pub (haven provision-hub prints it), so that only the coordinator"
                    + " can command this hub; coordinator.unsignedCommands: true turns the check off, for a bench only");
        }
        return config;
    }

    /**
     * The coordinator's public key, which every command must be signed with (docs/SECURITY.md, "Signed commands").
     * Without it the hub will not start, unless {@code coordinator.unsignedCommands: true} says on purpose that
     * this hub obeys any command on its topics (a bench, never a classroom): then the key is empty.
     */
    private static java.util.Optional<haven.protocol.CoordinatorKey> coordinatorKey(ConfigFile file) {
        java.util.Optional<String> text = file.optionalString("coordinator.publicKey").filter(t -> !t.isBlank());
        boolean unsigned = file.bool("coordinator.unsignedCommands", false);
        if (text.isPresent() && unsigned) {
            throw new haven.config.ConfigException("config " + file.name()
                    + ": coordinator.unsignedCommands must be false (or left out) when coordinator.publicKey is set");
        }
        if (text.isEmpty()) {
            return java.util.Optional.empty(); // refused in from() unless unsignedCommands says so
        }
        try {
            return java.util.Optional.of(haven.protocol.CoordinatorKey.parse(text.get()));
        } catch (IllegalArgumentException e) {
            throw new haven.config.ConfigException("config " + file.name() + ": coordinator.publicKey: " + e.getMessage());
        }
    }

    public Path database() {
        return dataDir.resolve("hub-" + room.site() + "-" + room.room() + ".db");
    }
}
