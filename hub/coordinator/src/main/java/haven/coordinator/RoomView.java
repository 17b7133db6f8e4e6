package haven.coordinator;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A classroom on the dashboard grid: presence, what it displays, and any warning about lost events. The record is
 * its answer body, the room written as {@code site} and {@code room}; {@code flood} is set while the room's hub is
 * over its ingest limits (IngestGuard): one line instead of a buried dashboard.
 */
public record RoomView(@JsonUnwrapped RoomId room, boolean online, String since, String version, String aupKeyStage,
                       String aupVersion, String condition, String gapWarning, String aupReviewedAt, String flood) {

    static final String COLUMNS = "site, room, online, since, version, aup_key_stage, aup_version, condition, gap_warning, aup_reviewed_at, flood";

    static RoomView from(ResultSet rs) throws SQLException {
        return new RoomView(new RoomId(rs.getString(1), rs.getString(2)), rs.getInt(3) == 1, rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11));
    }

    /** The same fields as the body, as a tree, for the live feed and the snapshot. */
    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }
}
