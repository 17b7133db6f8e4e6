package haven.coordinator;

import haven.config.ConfigFile;
import haven.mqtt.MqttSettings;
import haven.store.DatabaseLocation;
import java.time.Duration;

/** Everything the coordinator is told by coordinator.yaml (firmware-config/coordinator.yaml documents each key). */
public record CoordinatorConfig(MqttSettings mqtt, String httpHost, int httpPort, DatabaseLocation database,
                                Duration ackWithin, boolean secureCookies, Duration repairEvery, java.util.Set<String> sites,
                                java.util.Optional<java.time.LocalTime> endOfDay, java.time.ZoneId zone,
                                java.util.Optional<Duration> retention, java.util.Optional<String> sharedGroup,
                                java.util.Optional<String> followUpKey,
                                java.util.Optional<haven.coordinator.notify.NotifyConfig> alerts, FilterTargetList filter,
                                Duration headEvery, RoomNames roomNames, AuthConfig auth, java.nio.file.Path signingKey,
                                Duration buttonTestDue) {
    public static CoordinatorConfig from(ConfigFile file) {
        String uri = file.string("mqtt.uri", "tcp://127.0.0.1:1883");
        if (!uri.startsWith("tcp://") && !uri.startsWith("ssl://")) {
            throw file.error("mqtt.uri", "a tcp:// or ssl:// broker address");
        }
        String password = file.optionalString("mqtt.password").orElse(null);
        java.util.Optional<String> sharedGroup = file.optionalString("mqtt.sharedGroup")
                .map(g -> file.checked("mqtt.sharedGroup", () -> haven.protocol.Ids.require("mqtt.sharedGroup", g)));
        // Alone: a persistent session, so the broker queues every hub's QoS 1 events while we restart.
        // In a shared group: a clean session, because the broker keeps routing a share to a stopped member's
        // persistent session (seen with Mosquitto 2.0.11 in SharedSubscriptionTest) where nobody reads it;
        // the other members take the traffic, and gap repair fetches what was in flight from the hubs.
        MqttSettings mqtt = new MqttSettings(uri, file.string("mqtt.clientId", "haven-coordinator"),
                file.optionalString("mqtt.username").orElse(null), password == null ? null : password.toCharArray(),
                file.integer("mqtt.keepAliveSeconds", 30, 2, 600), sharedGroup.isPresent());
        CoordinatorConfig config = new CoordinatorConfig(mqtt, file.string("http.host", "127.0.0.1"), file.integer("http.port", 8080, 0, 65535),
                database(file),
                Duration.ofMinutes(file.integer("escalation.ackWithinMinutes", 10, 1, 24 * 60)),
                file.bool("http.secureCookies", false),
                Duration.ofSeconds(file.integer("ingest.repairSeconds", 15, 1, 3600)),
                sites(file), endOfDay(file), zone(file),
                // 0 (the default) keeps everything: deleting evidence is the school's decision, made in config.
                java.util.Optional.of(file.integer("retention.days", 0, 0, 36500)).filter(d -> d > 0).map(Duration::ofDays),
                sharedGroup,
                file.optionalString("followUp.key").map(key -> {
                    if (key.length() < haven.protocol.FollowUpCode.MIN_KEY_CHARS) {
                        throw file.error("followUp.key", "at least " + haven.protocol.FollowUpCode.MIN_KEY_CHARS
                                + " characters, the same as followUp.key in every hub.yaml of the school");
                    }
                    return key;
                }),
                haven.coordinator.notify.NotifyConfig.from(file), FilterTargetList.from(file, java.time.Instant.now()),
                Duration.ofSeconds(file.integer("evidence.headEverySeconds", 60, 1, 3600)),
                RoomNames.from(file), AuthConfig.from(file), signingKey(file),
                // A button nobody has tried for this long may be broken (issue #18's drills); 30 days unless the school says.
                Duration.ofDays(file.integer("buttonTests.dueDays", 30, 1, 366)));
        file.rejectUnknownKeys();
        return config;
    }

    /**
     * The command signing key (docs/INSTALL-COORDINATOR.md): by default next to a SQLite database, since that
     * folder is the coordinator's data directory (the only one the service unit may write); with PostgreSQL,
     * /var/lib/haven.
     */
    private static java.nio.file.Path signingKey(ConfigFile file) {
        String location = file.string("database", "/var/lib/haven/coordinator.db");
        java.nio.file.Path dataDir = location.startsWith("jdbc:") ? java.nio.file.Path.of("/var/lib/haven")
                : java.util.Objects.requireNonNullElse(java.nio.file.Path.of(location).toAbsolutePath().getParent(),
                        java.nio.file.Path.of("."));
        return file.optionalString("signing.keyFile").map(java.nio.file.Path::of)
                .orElse(dataDir.resolve("coordinator-signing.key"));
    }

    /** A SQLite file path, or a jdbc:postgresql:// URL with databaseUser / databasePassword. */
    private static DatabaseLocation database(ConfigFile file) {
        String location = file.string("database", "/var/lib/haven/coordinator.db");
        java.util.Optional<String> user = file.optionalString("databaseUser");
        java.util.Optional<String> password = file.optionalString("databasePassword");
        if (location.startsWith("jdbc:") && !location.startsWith(DatabaseLocation.POSTGRESQL_PREFIX)) {
            throw file.error("database", "a SQLite file path or a jdbc:postgresql://host:port/database URL");
        }
        if (!location.startsWith(DatabaseLocation.POSTGRESQL_PREFIX) && (user.isPresent() || password.isPresent())) {
            throw file.error(user.isPresent() ? "databaseUser" : "databasePassword",
                    "empty when database is a SQLite file (a login is for a jdbc:postgresql:// URL)");
        }
        return new DatabaseLocation(location, user, password);
    }

    private static java.util.Optional<java.time.LocalTime> endOfDay(ConfigFile file) {
        return file.optionalString("escalation.endOfDay").map(text -> {
            try {
                return java.time.LocalTime.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                throw file.error("escalation.endOfDay", "a time of day like 15:30");
            }
        });
    }

    private static java.time.ZoneId zone(ConfigFile file) {
        String text = file.string("escalation.timeZone", "Europe/London");
        try {
            return java.time.ZoneId.of(text);
        } catch (java.time.DateTimeException e) {
            throw file.error("escalation.timeZone", "a time zone like Europe/London");
        }
    }

    /** Sites to publish AUPs to before any of their hubs has connected (hubs' own sites are added as seen). */
    private static java.util.Set<String> sites(ConfigFile file) {
        var node = file.node("sites");
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw file.error("sites", "a list of site ids");
        }
        for (int i = 0; i < node.size(); i++) {
            String site = node.get(i).asText("");
            if (!haven.protocol.Ids.isValid(site)) {
                throw file.error("sites", "a list of site ids matching [a-z0-9][a-z0-9-]{0,31}");
            }
            out.add(site);
        }
        return out;
    }
}
