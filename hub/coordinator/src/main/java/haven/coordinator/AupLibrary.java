package haven.coordinator;

import haven.protocol.KeyStages;
import haven.mqtt.MqttLink;
import haven.protocol.AupMessage;
import haven.protocol.Json;
import haven.protocol.Topics;
import haven.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import haven.mqtt.PublishFailed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The school's Acceptable Use Policies, one per key stage, versioned. Publishing keeps every version
 * (what pupils were shown is part of the record) and sends the newest, retained, to every site's topic.
 */
public final class AupLibrary {
    private static final Logger log = LoggerFactory.getLogger(AupLibrary.class);

    private final Database db;
    private final MqttLink mqtt;
    private final Clock clock;
    private final Set<String> configuredSites;

    public AupLibrary(Database db, MqttLink mqtt, Clock clock, Set<String> configuredSites) {
        this.db = db;
        this.mqtt = mqtt;
        this.clock = clock;
        this.configuredSites = Set.copyOf(configuredSites);
    }

    /** Stores a new version and publishes it; returns it. Throws with a clear reason on bad input. */
    public AupMessage publish(String keyStage, String markdown, String by) throws SQLException, PublishFailed {
        if (!KeyStages.ALL.contains(keyStage)) {
            throw new IllegalArgumentException("key stage must be one of " + KeyStages.ALL + ", got '" + keyStage + "'");
        }
        String title = markdown.lines().filter(l -> l.startsWith("# ")).findFirst().map(l -> l.substring(2).trim())
                .orElseThrow(() -> new IllegalArgumentException("the AUP must start with a '# Title' line"));
        Instant now = clock.instant();
        AupMessage message = db.inTransaction(c -> {
            int version;
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(version), 0) + 1 FROM aups WHERE key_stage = ?")) {
                ps.setString(1, keyStage);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    version = rs.getInt(1);
                }
            }
            AupMessage m = new AupMessage(keyStage, Integer.toString(version), title, markdown, now);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO aups(key_stage, version, title, markdown, published_at, published_by) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, keyStage);
                ps.setInt(2, version);
                ps.setString(3, title);
                ps.setString(4, markdown);
                ps.setString(5, Json.time(now));
                ps.setString(6, by);
                ps.executeUpdate();
            }
            return m;
        });
        send(message);
        log.info("aup published keyStage={} version={} by={}", keyStage, message.version(), by);
        return message;
    }

    /** The newest version of each key stage. */
    public Map<String, AupMessage> latest() throws SQLException {
        return db.read(c -> {
            Map<String, AupMessage> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT a.key_stage, a.version, a.title, a.markdown, a.published_at FROM aups a
                    WHERE a.version = (SELECT max(version) FROM aups b WHERE b.key_stage = a.key_stage)
                    ORDER BY a.key_stage""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new AupMessage(rs.getString(1), Integer.toString(rs.getInt(2)), rs.getString(3),
                            rs.getString(4), Instant.parse(rs.getString(5))));
                }
            }
            return out;
        });
    }

    /** Re-sends the newest versions (after a broker that lost its retained messages, or a new site). */
    public void republish() {
        try {
            for (AupMessage m : latest().values()) {
                send(m);
            }
        } catch (SQLException | PublishFailed e) {
            log.warn("aup republish failed reason={}", e.getMessage());
        }
    }

    private void send(AupMessage message) throws SQLException, PublishFailed {
        for (String site : sites()) {
            mqtt.publish(Topics.aup(site, message.keyStage()), message.encode(), true);
        }
    }

    private Set<String> sites() throws SQLException {
        Set<String> sites = new TreeSet<>(configuredSites);
        sites.addAll(db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT site FROM rooms"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }));
        return sites;
    }
}
