package haven.coordinator;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A computer cut off from the network, as the dashboard shows it; the record is its answer body, the room written
 * as {@code site} and {@code room} fields. The times stay the text the row holds.
 */
public record IsolationView(long id, @JsonUnwrapped RoomId room, String machine, String mac, String ip, String backend, String status,
                            boolean verified, String detail, String requestedAt, String appliedAt,
                            String releaseRequestedAt, String releasedAt, int signOffs) {

    static final String COLUMNS = "id, site, room, machine, mac, ip, backend, status, verified, detail, requested_at, "
            + "applied_at, release_requested_at, released_at, (SELECT count(*) FROM signoffs s WHERE s.isolation_id = i.id)";

    static IsolationView from(ResultSet rs) throws SQLException {
        return new IsolationView(rs.getLong(1), new RoomId(rs.getString(2), rs.getString(3)), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getInt(9) == 1, rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13), rs.getString(14), rs.getInt(15));
    }

    /** The same fields as the body, as a tree, for the live feed and the snapshot. */
    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }
}
