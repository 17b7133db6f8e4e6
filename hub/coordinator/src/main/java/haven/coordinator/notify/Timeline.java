package haven.coordinator.notify;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Incident;
import haven.protocol.Json;
import haven.protocol.UuidV7;
import haven.coordinator.evidence.CoordinatorRecord;
import haven.store.Database;
import haven.store.Dialect;
import haven.coordinator.evidence.EventLog;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.OptionalInt;

/**
 * The evidence of every alert: each send attempt and what the other side answered, each contact that could
 * not be reached and each contact left out, as chained records on the incident's timeline (the same log and
 * the same append as the hubs' events; data.report ties them to the incident, so the dashboard's chronology
 * and the export show them). Owner of {@code alert_failures}; reads its own records back from {@code events}
 * (written only through {@link EventLog#append}).
 */
final class Timeline {
    private static final String CLEAR_FAILURES = "DELETE FROM alert_failures WHERE incident_id = :incident";
    private static final String FAILURES = "SELECT failures, channels FROM alert_failures WHERE incident_id = :incident";
    private static final String PUT_FAILURES = """
            INSERT INTO alert_failures(incident_id, failures, channels) VALUES (:incident, :failures, :channels)
            ON CONFLICT(incident_id) DO UPDATE SET failures = excluded.failures, channels = excluded.channels""";
    /** The ladder's records in a room; {@link #BY_REPORT} narrows them to one incident's (a dialect's JSON path). */
    private static final String LADDER_RECORDS = "SELECT payload FROM events WHERE site = :site AND room = :room AND type IN (:attempt, :unreachable, :skipped)";
    private static final String BY_REPORT = " AND %s = :report";
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

    /**
     * Who a ladder's records are about: the room, the incident if there is one, and the fields that tie each
     * record to that ladder ({@code report} for an incident; {@code alert} with the kind for anything but a
     * worry, so an overdue action's ladder on an incident is not taken for the incident's own; {@code since},
     * {@code action}, {@code due} where they tell one episode from another).
     */
    record About(haven.protocol.RoomId room, java.util.Optional<Incident> incident, ObjectNode tags) {
        static About incident(Incident incident, AlertKind kind) {
            ObjectNode tags = Json.object();
            tags.put("report", incident.reportId());
            if (!kind.isWorry()) {
                tags.put("alert", kind.wire());
            }
            return new About(incident.room(), java.util.Optional.of(incident), tags);
        }

        About withIncident(Incident current) {
            return new About(room, java.util.Optional.of(current), tags);
        }
    }

    /** Whether this attempt changed the incident's count of undelivered alerts (the dashboard shows it). */
    boolean attempt(About about, int step, String contact, String channel, int attempt, Channel.Outcome outcome) throws SQLException {
        ObjectNode data = data(about, step, contact);
        data.put("channel", channel);
        data.put("attempt", attempt);
        data.put("outcome", outcome.accepted() ? "accepted" : "failed");
        data.put("reply", outcome.detail());
        return db.transaction(c -> {
            log.append(c, record(about, ATTEMPT, data), clock.instant());
            return about.incident().isPresent() && countFailure(c, about.incident().get().id(), channel, outcome.accepted());
        });
    }

    void unreachable(About about, int step, String contact, List<String> channels) throws SQLException {
        ObjectNode data = data(about, step, contact);
        channels.forEach(data.putArray("channels")::add);
        append(about, UNREACHABLE, data);
    }

    void skipped(About about, int step, String contact, String reason) throws SQLException {
        ObjectNode data = data(about, step, contact);
        data.put("reason", reason);
        append(about, SKIPPED, data);
    }

    /**
     * Failed attempts since the last accepted one, per incident, kept with the attempt record itself so the
     * count and the timeline cannot disagree. An accepted attempt means someone has the alert: the count goes.
     */
    private static boolean countFailure(Handle c, long incident, String channel, boolean accepted) throws SQLException {
        if (accepted) {
            return c.createUpdate(CLEAR_FAILURES).bind("incident", incident).execute() > 0;
        }
        record Failures(int count, ObjectNode channels) {
        }
        Failures before = c.createQuery(FAILURES).bind("incident", incident)
                .map((rs, ctx) -> new Failures(rs.getInt("failures"),
                        (ObjectNode) Json.parse(rs.getString("channels").getBytes(StandardCharsets.UTF_8))))
                .findOne().orElseGet(() -> new Failures(0, Json.object()));
        ObjectNode channels = before.channels();
        channels.put(channel, channels.path(channel).asInt(0) + 1);
        c.createUpdate(PUT_FAILURES).bind("incident", incident).bind("failures", before.count() + 1)
                .bind("channels", Json.write(channels)).execute();
        return true;
    }

    /** The highest ladder step reached before by the ladder {@code about} names (a restart resumes after it). */
    OptionalInt lastStep(About about) throws SQLException {
        return db.query(c -> {
            Dialect d = Dialect.of(c);
            boolean byReport = about.tags().has("report");
            var query = c.createQuery(LADDER_RECORDS + (byReport ? BY_REPORT.formatted(d.jsonText("payload", "data", "report")) : ""))
                    .bind("site", about.room().site()).bind("room", about.room().room())
                    .bind("attempt", ATTEMPT).bind("unreachable", UNREACHABLE).bind("skipped", SKIPPED);
            if (byReport) {
                query.bind("report", about.tags().path("report").asText());
            }
            int max = -1;
            for (String payload : query.mapTo(String.class).list()) {
                com.fasterxml.jackson.databind.JsonNode data = Json.parse(payload.getBytes(StandardCharsets.UTF_8)).path("data");
                if (sameLadder(about.tags(), data)) {
                    max = Math.max(max, data.path("step").asInt(-1));
                }
            }
            return max < 0 ? OptionalInt.empty() : OptionalInt.of(max);
        });
    }

    private static final List<String> LADDER_FIELDS = List.of("report", "alert", "since", "action", "due", "breach");

    private static boolean sameLadder(ObjectNode tags, com.fasterxml.jackson.databind.JsonNode data) {
        return LADDER_FIELDS.stream().allMatch(f -> tags.path(f).asText("").equals(data.path(f).asText("")));
    }

    private static ObjectNode data(About about, int step, String contact) {
        ObjectNode data = about.tags().deepCopy();
        data.put("step", step);
        data.put("contact", contact);
        return data;
    }

    private CoordinatorRecord record(About about, String type, ObjectNode data) {
        return new CoordinatorRecord(ids.next().toString(), type, about.room(), clock.instant(), data);
    }

    private void append(About about, String type, ObjectNode data) throws SQLException {
        CoordinatorRecord record = record(about, type, data);
        db.transaction(c -> log.append(c, record, clock.instant()));
    }
}
