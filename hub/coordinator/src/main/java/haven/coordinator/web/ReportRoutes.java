package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;

/**
 * The anonymised governors' report (JSON and CSV) and the audit trail. Governors "review anonymised
 * monitoring reports": counts by month, room, category and outcome, never a report or a name.
 */
final class ReportRoutes {
    private final Database db;
    private final Incidents incidents;
    private final AuditLog audit;
    private final haven.coordinator.StaffAupAcceptances staffAup;

    /** GET /api/audit: the latest 500 audit rows, newest first. */
    record AuditBody(java.util.List<AuditLog.Row> audit) {
    }

    ReportRoutes(Database db, Incidents incidents, AuditLog audit, haven.coordinator.StaffAupAcceptances staffAup) {
        this.db = db;
        this.incidents = incidents;
        this.audit = audit;
        this.staffAup = staffAup;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/api/reports", ctx -> {
            StaffSession who = Web.staff(ctx);
            Web.json(ctx, db.transaction(c -> {
                audit.record(c, who.name(), "view-report", "anonymised");
                ObjectNode report = incidents.report(c, who.role());
                // Staff "have read, understood and signed the Staff Acceptable Use Policy": counted, never named.
                report.set("staffAup", Json.MAPPER.valueToTree(staffAup.counts(c)));
                return report;
            }));
        }, RouteAccess.of(Permission.VIEW_REPORT));
        config.routes.get("/api/reports.csv", ctx -> {
            StaffSession who = Web.staff(ctx);
            ObjectNode report = db.transaction(c -> {
                audit.record(c, who.name(), "download-report", "csv");
                return incidents.report(c, who.role());
            });
            ctx.header("Content-Disposition", "attachment; filename=\"haven-report.csv\"");
            ctx.contentType("text/csv; charset=utf-8").result(csv(report));
        }, RouteAccess.of(Permission.VIEW_REPORT));
        config.routes.get("/api/audit", ctx -> {
            StaffSession who = Web.staff(ctx);
            Web.json(ctx, db.transaction(c -> {
                audit.record(c, who.name(), "view-audit", "latest 500");
                return new AuditBody(audit.latest(c, 500));
            }));
        }, RouteAccess.of(Permission.VIEW_AUDIT));
    }

    private static String csv(ObjectNode report) {
        StringBuilder csv = new StringBuilder("month,room,category,outcome,count,average_minutes_to_acknowledge\n");
        for (JsonNode r : report.get("months")) {
            csv.append(r.get("month").asText()).append(',').append(r.get("room").asText()).append(',')
                    .append(r.get("category").asText()).append(',').append(r.get("outcome").asText()).append(',')
                    .append(r.get("count").asLong()).append(',')
                    .append(r.has("averageMinutesToAcknowledge") ? r.get("averageMinutesToAcknowledge").asText() : "")
                    .append('\n');
        }
        return csv.toString();
    }
}
