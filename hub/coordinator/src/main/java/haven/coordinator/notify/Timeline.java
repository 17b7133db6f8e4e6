package haven.coordinator.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Incident;
import haven.protocol.Json;
import haven.protocol.UuidV7;
import haven.coordinator.evidence.CoordinatorRecord;
import haven.store.Database;
import haven.store.Dialect;
import haven.coordinator.evidence.EventLog;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.OptionalInt;

/**
 * The evidence of every alert: each send attempt and what the other side answered, each contact that could
 * not be reached and each contact left out, as chained records on the incident's timeline (the same log and
 * the same append as the hubs' events; data.report ties them to the incident, so the dashboard's chronology
 * and the export show them).
 */
final class Timeline {
    static final String ATTEMPT = "notify.attempt";
    static final String UNREACHABLE = "notify.unreachable";
    static final String SKIPPED = "notify.skipped";

    private final Database db;
    private final EventLog log;
    private final Clock clock;
    private final UuidV7 ids;

    Timeline(Database db, EventLog log, Clock clock) {
        this.db = db;
        this.log = log;
        this.clock = clock;
        this.ids = new UuidV7(clock);
    }

    void attempt(Incident incident, int step, String contact, String channel, int attempt, Channel.Outcome outcome) throws SQLException {
        ObjectNode data = data(incident, step, contact);
        data.put("channel", channel);
        data.put("attempt", attempt);
        data.put("outcome", outcome.accepted() ? "accepted" : "failed");
        data.put("reply", outcome.detail());
        append(incident, ATTEMPT, data);
    }

    void unreachable(Incident incident, int step, String contact, List<String> channels) throws SQLException {
        ObjectNode data = data(incident, step, contact);
        channels.forEach(data.putArray("channels")::add);
        append(incident, UNREACHABLE, data);
    }

    void skipped(Incident incident, int step, String contact, String reason) throws SQLException {
        ObjectNode data = data(incident, step, contact);
        data.put("reason", reason);
        append(incident, SKIPPED, data);
    }

    /** The highest ladder step this incident's alerts reached before (a restart resumes after it). */
    OptionalInt lastStep(Incident incident) throws SQLException {
        return db.read(c -> {
            Dialect d = Dialect.of(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM events WHERE site = ? AND room = ? AND type IN (?, ?, ?)"
                    + " AND " + d.jsonText("payload", "data", "report") + " = ?")) {
                ps.setString(1, incident.room().site());
                ps.setString(2, incident.room().room());
                ps.setString(3, ATTEMPT);
                ps.setString(4, UNREACHABLE);
                ps.setString(5, SKIPPED);
                ps.setString(6, incident.reportId());
                int max = -1;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        max = Math.max(max, Json.parse(rs.getString(1).getBytes(StandardCharsets.UTF_8)).path("data").path("step").asInt(-1));
                    }
                }
                return max < 0 ? OptionalInt.empty() : OptionalInt.of(max);
            }
        });
    }

    private static ObjectNode data(Incident incident, int step, String contact) {
        ObjectNode data = Json.object();
        data.put("report", incident.reportId());
        data.put("step", step);
        data.put("contact", contact);
        return data;
    }

    private void append(Incident incident, String type, ObjectNode data) throws SQLException {
        CoordinatorRecord record = new CoordinatorRecord(ids.next().toString(), type, incident.room(), clock.instant(), data);
        db.inTransaction(c -> log.append(c, record, clock.instant()));
    }
}
