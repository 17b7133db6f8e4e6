package haven.coordinator.web;

import haven.coordinator.CaseBundle;
import haven.coordinator.CaseEvidence;
import haven.coordinator.Cases;
import haven.coordinator.Incident;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The case bundle (docs/CASEWORK.md): one zip of an incident, its chain entries with their hashes, its
 * attachments and its review PDF, checked by `haven verify-bundle` with no database. Making one is an
 * export: audited, and chained with the manifest's SHA-256 so the log vouches for the manifest.
 */
public final class BundleRoutes {
    private BundleRoutes() {
    }

    public static void mount(JavalinConfig config, Database db, Incidents incidents, Cases cases, CaseEvidence evidence,
                             AuditLog audit, Clock clock) {
        StaffDecisions decisions = new StaffDecisions(clock);
        config.routes.get("/api/incidents/{id}/bundle", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Optional<Incident> found = CaseRoutes.visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Incident incident = found.get();
            CaseBundle.Built bundle = db.transaction(c -> {
                Instant at = clock.instant();
                CaseBundle.Built b = CaseBundle.build(c, incident, cases, evidence, who.name(), at);
                audit.record(c, who.name(), "export", "incident=" + incident.id() + " bundle");
                decisions.record(c, StaffDecisions.EXPORTED, incident.room(), at, Json.object().put("incident", incident.id())
                        .put("report", incident.reportId()).put("by", who.name()).put("role", who.role().wire()).put("format", "bundle")
                        .put("manifestSha256", b.manifestSha256()));
                return b;
            });
            ctx.header("Content-Disposition", "attachment; filename=\"case-" + incident.caseNumber() + ".zip\"");
            ctx.contentType("application/zip").result(bundle.zip());
        }, RouteAccess.of(Permission.EXPORT));
    }
}
