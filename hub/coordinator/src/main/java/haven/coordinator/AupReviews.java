package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.EventType;
import haven.protocol.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The governors' view of AUP reviews in class: per room, when the class last went through its AUP with a
 * teacher and how many times a month (the {@code aup.reviewed} events in the evidence log, counted; no names,
 * nothing about a pupil). Governors "review monitoring"; this shows whether the rules are taught, not just shown.
 */
public final class AupReviews {
    private AupReviews() {
    }

    public static ArrayNode report(Handle c) throws SQLException {
        Map<String, ObjectNode> byRoom = new LinkedHashMap<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room, aup_reviewed_at FROM rooms"
                + " WHERE aup_reviewed_at IS NOT NULL ORDER BY site, room"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ObjectNode r = Json.object().put("site", rs.getString(1)).put("room", rs.getString(2))
                        .put("lastReviewedAt", rs.getString(3));
                r.putArray("months");
                byRoom.put(rs.getString(1) + "/" + rs.getString(2), r);
            }
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room, substr(at, 1, 7), count(*) FROM events WHERE type = ?"
                + " GROUP BY site, room, substr(at, 1, 7) ORDER BY 1, 2, 3")) {
            ps.setString(1, EventType.AUP_REVIEWED.wire());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode r = byRoom.get(rs.getString(1) + "/" + rs.getString(2));
                    if (r != null) {
                        ((ArrayNode) r.get("months")).addObject().put("month", rs.getString(3)).put("reviews", rs.getLong(4));
                    }
                }
            }
        }
        ArrayNode out = Json.array();
        byRoom.values().forEach(out::add);
        return out;
    }
}
