package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.EventType;
import haven.protocol.Json;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The governors' view of AUP reviews in class: per room, when the class last went through its AUP with a
 * teacher and how many times a month (the {@code aup.reviewed} events in the evidence log, counted; no names,
 * nothing about a pupil). Governors "review monitoring"; this shows whether the rules are taught, not just shown.
 * Owns no table: reads {@code rooms} and {@code events}.
 */
public final class AupReviews {
    private static final String ROOMS_REVIEWED = """
            SELECT site, room, aup_reviewed_at FROM rooms
            WHERE aup_reviewed_at IS NOT NULL ORDER BY site, room""";
    private static final String REVIEWS_BY_MONTH = """
            SELECT site, room, substr(at, 1, 7) AS month, count(*) AS reviews FROM events WHERE type = :type
            GROUP BY site, room, substr(at, 1, 7) ORDER BY 1, 2, 3""";

    private AupReviews() {
    }

    public static ArrayNode report(Handle c) throws SQLException {
        Map<String, ObjectNode> byRoom = new LinkedHashMap<>();
        c.createQuery(ROOMS_REVIEWED).map((rs, ctx) -> {
            ObjectNode r = Json.object().put("site", rs.getString(1)).put("room", rs.getString(2))
                    .put("lastReviewedAt", rs.getString(3));
            r.putArray("months");
            byRoom.put(rs.getString(1) + "/" + rs.getString(2), r);
            return r;
        }).list();
        c.createQuery(REVIEWS_BY_MONTH).bind("type", EventType.AUP_REVIEWED.wire()).map((rs, ctx) -> {
            ObjectNode r = byRoom.get(rs.getString(1) + "/" + rs.getString(2));
            if (r != null) {
                ((ArrayNode) r.get("months")).addObject().put("month", rs.getString(3)).put("reviews", rs.getLong(4));
            }
            return rs.getString(1);
        }).list();
        ArrayNode out = Json.array();
        byRoom.values().forEach(out::add);
        return out;
    }
}
