package haven.coordinator;

import haven.protocol.KeyStages;
import haven.mqtt.MqttLink;
import haven.protocol.AupMessage;
import haven.protocol.Json;
import haven.protocol.Topics;
import haven.store.Database;
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
 * The school's Acceptable Use Policies, one per key stage and language, versioned per key stage and
 * language. Publishing keeps every version (what pupils were shown is part of the record) and sends the
 * newest, retained, to every site's topic: English on the topic hubs have always read, another language
 * one level below it (docs/KIOSK.md). Owns the {@code aups} table.
 */
public final class AupLibrary {
    private static final String NEXT_VERSION = "SELECT coalesce(max(version), 0) + 1 FROM aups WHERE key_stage = :keyStage AND language = :language";
    private static final String INSERT = """
            INSERT INTO aups(key_stage, version, title, markdown, published_at, published_by, language)
            VALUES (:keyStage, :version, :title, :markdown, :publishedAt, :publishedBy, :language)""";
    private static final String LATEST = """
            SELECT a.key_stage, a.version, a.title, a.markdown, a.published_at, a.language FROM aups a
            WHERE a.version = (SELECT max(version) FROM aups b WHERE b.key_stage = a.key_stage AND b.language = a.language)
            ORDER BY a.key_stage, a.language""";
    private static final String SITES = "SELECT DISTINCT site FROM rooms";

    private static final Logger log = LoggerFactory.getLogger(AupLibrary.class);

    private final Database db;
    private final MqttLink mqtt;
    private final Clock clock;
    private final Set<String> configuredSites;
    private final haven.protocol.CoordinatorSigner signer;
    private final haven.coordinator.evidence.StaffDecisions decisions;

    /** {@code signer}: the AUP is on a pupil's screen, so a hub shows only one the coordinator signed. */
    public AupLibrary(Database db, MqttLink mqtt, Clock clock, Set<String> configuredSites, haven.protocol.CoordinatorSigner signer) {
        this.db = db;
        this.signer = signer;
        this.mqtt = mqtt;
        this.clock = clock;
        this.configuredSites = Set.copyOf(configuredSites);
        this.decisions = new haven.coordinator.evidence.StaffDecisions(clock);
    }

    /** Stores a new English version and publishes it; returns it. Throws with a clear reason on bad input. */
    public AupMessage publish(String keyStage, String markdown, String by) throws SQLException, PublishFailed {
        return publish(keyStage, AupMessage.ENGLISH, markdown, by);
    }

    /** Stores a new version in one language and publishes it; returns it. Throws with a clear reason on bad input. */
    public AupMessage publish(String keyStage, String language, String markdown, String by) throws SQLException, PublishFailed {
        if (language == null || !language.matches("[a-z]{2,3}")) {
            // The field is named, the value is not echoed: a dashboard error can end up in a screenshot or a log.
            throw new IllegalArgumentException("language must be a 2 or 3 letter code such as en or cy");
        }
        if (!KeyStages.ALL.contains(keyStage)) {
            throw new IllegalArgumentException("key stage must be one of " + KeyStages.ALL);
        }
        String title = markdown.lines().filter(l -> l.startsWith("# ")).findFirst().map(l -> l.substring(2).trim())
                .orElseThrow(() -> new IllegalArgumentException("the AUP must start with a '# Title' line"));
        Instant now = clock.instant();
        AupMessage message = db.transaction(c -> {
            int version;
            version = c.createQuery(NEXT_VERSION).bind("keyStage", keyStage).bind("language", language)
                    .mapTo(Integer.class).one();
            AupMessage m = new AupMessage(keyStage, Integer.toString(version), title, markdown, now, language);
            c.createUpdate(INSERT).bind("keyStage", keyStage).bind("version", version).bind("title", title)
                    .bind("markdown", markdown).bind("publishedAt", now).bind("publishedBy", by)
                    .bind("language", language).execute();
            // The record goes with the row, whoever publishes (dashboard or `haven aup publish`): what pupils
            // and staff were shown, and who decided it, is evidence (docs/EVIDENCE.md).
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.AUP_PUBLISHED, haven.coordinator.evidence.StaffDecisions.SCHOOL,
                    now, Json.object().put("keyStage", keyStage).put("version", m.version()).put("by", by).put("language", language)
                            .put("audience", keyStage.equals(StaffAupAcceptances.KEY_STAGE) ? "staff" : "pupils"));
            return m;
        });
        send(message);
        log.info("aup published keyStage={} language={} version={} by={}", keyStage, language, message.version(), by);
        return message;
    }

    /** The newest English version of each key stage (what the rooms report they show). */
    public Map<String, AupMessage> latest() throws SQLException {
        Map<String, AupMessage> out = new LinkedHashMap<>();
        for (AupMessage m : latestInEveryLanguage()) {
            if (m.language().equals(AupMessage.ENGLISH)) {
                out.put(m.keyStage(), m);
            }
        }
        return out;
    }

    /** The newest version of each key stage in each language, by key stage then language. */
    public List<AupMessage> latestInEveryLanguage() throws SQLException {
        return db.query(c -> {
            return c.createQuery(LATEST).map((rs, ctx) -> new AupMessage(rs.getString(1), Integer.toString(rs.getInt(2)),
                    rs.getString(3), rs.getString(4), Instant.parse(rs.getString(5)), rs.getString(6))).list();
        });
    }

    /** Re-sends the newest versions (after a broker that lost its retained messages, or a new site). */
    public void republish() {
        try {
            for (AupMessage m : latestInEveryLanguage()) {
                send(m);
            }
        } catch (SQLException | PublishFailed e) {
            log.warn("aup republish failed reason={}", e.getMessage());
        }
    }

    private void send(AupMessage message) throws SQLException, PublishFailed {
        for (String site : sites()) {
            String topic = Topics.aup(site, message.keyStage(), message.language());
            mqtt.publish(topic, signer.sign(topic, message.encode()), true);
        }
    }

    private Set<String> sites() throws SQLException {
        Set<String> sites = new TreeSet<>(configuredSites);
        sites.addAll(db.query(c -> {
            return c.createQuery(SITES).mapTo(String.class).list();
        }));
        return sites;
    }
}
