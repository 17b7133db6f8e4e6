package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.FollowUpCode;
import haven.protocol.Json;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import haven.store.Dialect;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/follow-up/{code}}: a member of staff types the two words a pupil told them and gets the
 * report they belong to. Every look-up is audited; after {@value #MAX_MISSES} wrong codes in
 * {@link #MISS_WINDOW} by one member of staff the look-up answers 429, counted from the audit table so a
 * restart does not reset it. The code is matched by its keyed hash, as the hub sent it (docs/KIOSK.md).
 */
public final class FollowUpLookup {
    static final int MAX_MISSES = 5;
    static final Duration MISS_WINDOW = Duration.ofMinutes(15);
    private static final String MISS = "follow-up-miss";
    /** Reads the audit trail (owned by AuditLog) for this person's recent misses; since binds as the stored time text. */
    private static final String RECENT_MISSES = "SELECT count(*) FROM audit WHERE actor = :actor AND action = :action AND at >= :since";

    private final Database db;
    private final Incidents incidents;
    private final AuditLog audit;
    private final Clock clock;
    private final Optional<String> key;

    public FollowUpLookup(Database db, Incidents incidents, AuditLog audit, Clock clock, Optional<String> key) {
        this.db = db;
        this.incidents = incidents;
        this.audit = audit;
        this.clock = clock;
        this.key = key;
    }

    /** What the look-up answers: an HTTP status and a JSON or plain-text body. The web layer sends it as it is. */
    public record Answer(int status, String contentType, String body) {
        static Answer text(int status, String body) {
            return new Answer(status, "text/plain; charset=utf-8", body);
        }
    }

    public Answer answer(String typed, StaffSession who) throws SQLException {
        if (who.role() == Role.GOVERNOR || who.role() == Role.TECHNICIAN) {
            return Answer.text(403, "follow-up codes are looked up by teaching and safeguarding staff");
        }
        if (key.isEmpty()) {
            return Answer.text(503, "follow-up codes are not set up (coordinator.yaml followUp.key)");
        }
        if (recentMisses(who) >= MAX_MISSES) {
            return Answer.text(429, "too many wrong follow-up codes; wait 15 minutes or ask the DSL");
        }
        Optional<FollowUpCode> code;
        try {
            code = Optional.of(FollowUpCode.parse(typed));
        } catch (IllegalArgumentException e) {
            code = Optional.empty();
        }
        String hash = code.map(c -> c.hash(key.get())).orElse(null);
        Optional<ObjectNode> found = db.transaction(c -> {
            List<ObjectNode> visible = new ArrayList<>();
            if (hash != null) {
                for (String report : reportsWithHash(c, hash)) {
                    incidents.find(c, report).flatMap(i -> i.viewFor(who)).ifPresent(visible::add);
                }
            }
            if (visible.isEmpty()) {
                // The typed words are not recorded: a wrong code may still be a pupil's real words.
                audit.record(c, who.name(), MISS, "-");
                return Optional.<ObjectNode>empty();
            }
            ObjectNode out = Json.object();
            out.set("incident", visible.get(0));
            // The dashboard offers "came forward" only once: the answer says whether it is already recorded.
            out.put("cameForwardRecorded", visible.get(0).hasNonNull("cameForwardAt"));
            var all = out.putArray("incidents");
            visible.forEach(all::add);
            audit.record(c, who.name(), "follow-up-lookup", "incident=" + visible.get(0).path("id").asLong());
            return Optional.of(out);
        });
        if (found.isEmpty()) {
            return Answer.text(404, "no report has that follow-up code (check the two words with the pupil)");
        }
        return new Answer(200, "application/json", Json.write(found.get()));
    }

    private long recentMisses(StaffSession who) throws SQLException {
        return db.query(c -> {
            return c.createQuery(RECENT_MISSES).bind("actor", who.name()).bind("action", MISS)
                    .bind("since", clock.instant().minus(MISS_WINDOW)).mapTo(Long.class).one();
        });
    }

    /** Newest first: two rooms may have handed out the same words, each report keeps its own. */
    private static List<String> reportsWithHash(Handle c, String hash) throws SQLException {
        Dialect dialect = Dialect.of(c);
        return c.createQuery("SELECT " + dialect.jsonText("payload", "data", "report")
                + " FROM events WHERE type = 'worry.follow-up' AND " + dialect.jsonText("payload", "data", "codeHash")
                + " = :hash ORDER BY pos DESC LIMIT 20").bind("hash", hash).mapTo(String.class).list();
    }
}
