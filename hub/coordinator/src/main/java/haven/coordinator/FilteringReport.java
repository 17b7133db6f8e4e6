package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.FilterResult;
import haven.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The filtering section of the governors' report: governors receive "regular monitoring of filtering" (seed 001).
 * Per month of the coordinator's receive time: checks run, failed checks, checks with a recorded action, and how
 * often each category got through. Counts and the school's own category names only: never a target, a URL, an
 * action's text or a name, so the report can go to governors as it is. Unblock requests are counted the same way.
 */
public final class FilteringReport {
    private FilteringReport() {
    }

    private static final class Month {
        long checks;
        long failures;
        long actionsRecorded;
        final Map<String, Long> failedCategories = new TreeMap<>();
        long unblockRequested;
        long unblockApproved;
        long unblockRefused;
    }

    private static final String CHECKS = """
            SELECT e.received_at, e.payload, a.event_id FROM events e LEFT JOIN filter_check_actions a ON a.event_id = e.id
            WHERE e.type = 'filter.checked' ORDER BY e.pos""";
    private static final String UNBLOCKS = "SELECT requested_at, status FROM unblock_requests";

    /** Oldest month first. */
    public static ArrayNode months(Handle c) throws SQLException {
        Map<String, Month> months = new TreeMap<>();
        c.createQuery(CHECKS).map((rs, ctx) -> {
            Month m = months.computeIfAbsent(rs.getString(1).substring(0, 7), k -> new Month());
            m.checks++;
            boolean failed = false;
            for (JsonNode r : Json.parse(rs.getString(2).getBytes(StandardCharsets.UTF_8)).path("data").path("results")) {
                FilterResult result = FilterResult.fromJson(r);
                if (result.failed()) {
                    failed = true;
                    m.failedCategories.merge(result.category(), 1L, Long::sum);
                }
            }
            m.failures += failed ? 1 : 0;
            m.actionsRecorded += rs.getString(3) != null ? 1 : 0;
            return m;
        }).list();
        c.createQuery(UNBLOCKS).map((rs, ctx) -> {
            Month m = months.computeIfAbsent(rs.getString(1).substring(0, 7), k -> new Month());
            m.unblockRequested++;
            m.unblockApproved += "approved".equals(rs.getString(2)) ? 1 : 0;
            m.unblockRefused += "refused".equals(rs.getString(2)) ? 1 : 0;
            return m;
        }).list();
        ArrayNode out = Json.array();
        months.forEach((month, m) -> {
            ObjectNode o = out.addObject();
            o.put("month", month);
            o.put("checks", m.checks);
            o.put("failures", m.failures);
            o.put("actionsRecorded", m.actionsRecorded);
            ObjectNode categories = o.putObject("failedCategories");
            m.failedCategories.forEach(categories::put);
            o.put("unblockRequested", m.unblockRequested);
            o.put("unblockApproved", m.unblockApproved);
            o.put("unblockRefused", m.unblockRefused);
        });
        return out;
    }

    /** The same as CSV, one row per month and failed category (a month with no failure has one row, category empty). */
    public static String csv(ArrayNode months) {
        StringBuilder out = new StringBuilder("month,checks,failures,actions_recorded,failed_category,category_failures,"
                + "unblock_requested,unblock_approved,unblock_refused\r\n");
        for (JsonNode m : months) {
            var categories = m.path("failedCategories");
            java.util.List<Map.Entry<String, JsonNode>> rows = new java.util.ArrayList<>();
            categories.properties().forEach(rows::add);
            if (rows.isEmpty()) {
                rows.add(Map.entry("", Json.object().nullNode()));
            }
            for (Map.Entry<String, JsonNode> row : rows) {
                out.append(String.join(",", FilterChecks.cell(m.path("month").asText()), m.path("checks").asText(),
                        m.path("failures").asText(), m.path("actionsRecorded").asText(), FilterChecks.cell(row.getKey()),
                        row.getValue().isNull() ? "" : row.getValue().asText(), m.path("unblockRequested").asText(),
                        m.path("unblockApproved").asText(), m.path("unblockRefused").asText())).append("\r\n");
            }
        }
        return out.toString();
    }
}
