package haven.coordinator.web;

import haven.coordinator.FilteringReport;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import io.javalin.config.JavalinConfig;

/**
 * The filtering section of the governors' report as CSV (the same months as {@code filtering} in /api/reports):
 * counts and category names only, cells that look like formulas neutralised as in the check log's CSV.
 */
public final class FilteringReportRoutes {
    private FilteringReportRoutes() {
    }

    public static void mount(JavalinConfig config, Database db, AuditLog audit) {
        config.routes.get("/api/reports/filtering.csv", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            String csv = db.transaction(c -> {
                audit.record(c, who.name(), "download-report", "filtering-csv");
                return FilteringReport.csv(FilteringReport.months(c));
            });
            ctx.header("Content-Disposition", "attachment; filename=\"haven-filtering-report.csv\"");
            ctx.contentType("text/csv; charset=utf-8").result(csv);
        }, RouteAccess.of(Permission.VIEW_REPORT));
    }
}
