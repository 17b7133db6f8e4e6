package haven.classroom;

import haven.protocol.AupMessage;
import haven.store.Database;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last AUP the coordinator published for this room's key stage, in each language, kept in the hub's
 * SQLite so the classroom screen shows it after a reboot even with the broker down. English keeps the key
 * it always had ({@code aup}); another language is {@code aup.LANGUAGE}.
 */
public final class AupCache {
    private static final Logger log = LoggerFactory.getLogger(AupCache.class);
    private static final String KEY = "aup";

    private final Database db;

    public AupCache(Database db) {
        this.db = db;
    }

    public Optional<Aup> load(String keyStage) {
        try {
            Optional<String> json = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT value FROM hub_state WHERE key = ?")) {
                    ps.setString(1, KEY);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                    }
                }
            });
            return json.map(j -> AupMessage.decode(j.getBytes(StandardCharsets.UTF_8)))
                    .filter(m -> m.keyStage().equals(keyStage))
                    .map(m -> new Aup(m.keyStage(), m.version(), m.title(), m.markdown()));
        } catch (SQLException | IllegalArgumentException e) {
            log.warn("cached AUP unreadable, showing the sample reason={}", e.getMessage());
            return Optional.empty();
        }
    }

    public void save(AupMessage message) throws SQLException {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO hub_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
                ps.setString(1, message.language().equals(AupMessage.ENGLISH) ? KEY : KEY + "." + message.language());
                ps.setString(2, new String(message.encode(), StandardCharsets.UTF_8));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Every cached translation of this key stage's AUP (not English), into {@code into}. */
    public void loadTranslations(String keyStage, AupTranslations into) {
        try {
            db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM hub_state WHERE key LIKE ?")) {
                    ps.setString(1, KEY + ".%");
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            try {
                                AupMessage m = AupMessage.decode(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                                if (m.keyStage().equals(keyStage)) {
                                    into.put(m.language(), new Aup(m.keyStage(), m.version(), m.title(), m.markdown()));
                                }
                            } catch (IllegalArgumentException e) {
                                log.warn("cached AUP unreadable, skipped key={} reason={}", rs.getString(1), e.getMessage());
                            }
                        }
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            log.warn("cached AUP translations unreadable reason={}", e.getMessage());
        }
    }
}
