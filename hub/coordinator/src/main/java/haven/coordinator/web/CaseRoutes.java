package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.CaseActionKind;
import haven.coordinator.Cases;
import haven.coordinator.Changes;
import haven.coordinator.Incident;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.StaffAccounts;
import haven.coordinator.StaffSession;
import haven.coordinator.Visibility;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Case work on one incident (docs/CASEWORK.md): notes, assignment, follow-up actions, reopening, and the
 * case part of the detail. Seeds: the DSL "maintains a log of online safety incidents along with any follow
 * up". Each change is chained by {@link Cases} in the same transaction as its audit row; a refused request
 * changes nothing and is not audited as if it happened. An incident the viewer may not see answers 404,
 * exactly as one that does not exist.
 */
public final class CaseRoutes {
    static final int MAX_TEXT = 4000;

    private CaseRoutes() {
    }

    /** POST /api/incidents/{id}/notes: the note, and the earlier note of the same incident it corrects, if any. */
    record NoteRequest(String text, Optional<Long> corrects) {
        static NoteRequest from(JsonNode body) {
            String text = required(body, "text", MAX_TEXT);
            return new NoteRequest(text, body.hasNonNull("corrects") ? Optional.of(number(body, "corrects")) : Optional.empty());
        }
    }

    /** POST /api/incidents/{id}/assign: the member of staff's name; whether they may have the case is the route's check. */
    record AssignRequest(String to) {
        static AssignRequest from(JsonNode body) {
            return new AssignRequest(required(body, "to", 200));
        }
    }

    /** POST /api/incidents/{id}/actions: what is to be done, an optional reference (a referral number) and when by. */
    record ActionRequest(CaseActionKind kind, String reference, Instant due) {
        static ActionRequest from(JsonNode body) {
            CaseActionKind kind = CaseActionKind.fromStored(body.path("kind").asText(""))
                    .orElseThrow(() -> new IllegalArgumentException("kind must be one of " + CaseActionKind.words()));
            String reference = optional(body, "reference", 200);
            return new ActionRequest(kind, reference, instant(body, "due"));
        }
    }

    /** POST /api/incidents/{id}/reopen: why the closed case is open again (chained; the closure stays in the log). */
    record ReopenRequest(String reason) {
        static ReopenRequest from(JsonNode body) {
            return new ReopenRequest(required(body, "reason", MAX_TEXT));
        }
    }

    public static void mount(JavalinConfig config, Database db, Incidents incidents, Cases cases, StaffAccounts staff, AuditLog audit,
                             Changes feed) {
        config.routes.get("/api/incidents/{id}/case", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Optional<Incident> found = visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Web.json(ctx, db.transaction(c -> {
                audit.record(c, who.name(), "view-case", "incident=" + found.get().id());
                return cases.caseWork(c, found.get().id());
            }));
        }, RouteAccess.of(Permission.VIEW_INCIDENTS));
        config.routes.post("/api/incidents/{id}/notes", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            NoteRequest request = NoteRequest.from(body(ctx));
            Optional<Incident> found = visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Cases.Note note = db.transaction(c -> {
                Cases.Note n = cases.addNote(c, found.get(), request.text(), request.corrects(), who);
                audit.record(c, who.name(), "case-note", "incident=" + found.get().id() + " note=" + n.id());
                return n;
            });
            ctx.status(201);
            Web.json(ctx, note);
        }, RouteAccess.of(Permission.WORK_CASE));
        config.routes.post("/api/incidents/{id}/assign", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            String to = AssignRequest.from(body(ctx)).to();
            Optional<Incident> found = visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            // Assigning a case to someone it is not routed to would tell them of it: the same policy decides.
            Optional<StaffAccounts.Standing> standing = staff.standing(to);
            if (standing.isEmpty() || !Visibility.fullDetail(found.get(),
                    new StaffSession("", to, standing.get().role(), "", Instant.MAX, standing.get().rooms()))) {
                // Not echoed: what was typed may be anyone's name, a pupil's among them.
                ctx.status(400).result("to: no enabled member of staff by that name may see this case");
                return;
            }
            Incident assigned = db.transaction(c -> {
                Incident i = cases.assign(c, found.get(), to, who);
                audit.record(c, who.name(), "case-assign", "incident=" + i.id() + " to=" + to);
                return i;
            });
            feed.incidentChanged(assigned);
            Web.json(ctx, assigned.view());
        }, RouteAccess.of(Permission.WORK_CASE));
        config.routes.post("/api/incidents/{id}/actions", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            ActionRequest request = ActionRequest.from(body(ctx));
            Optional<Incident> found = visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Cases.Action action = db.transaction(c -> {
                Cases.Action a = cases.addAction(c, found.get(), request.kind(), request.reference(), request.due(), who);
                audit.record(c, who.name(), "case-action", "incident=" + found.get().id() + " action=" + a.id()
                        + " kind=" + request.kind().stored());
                return a;
            });
            ctx.status(201);
            Web.json(ctx, action);
        }, RouteAccess.of(Permission.WORK_CASE));
        config.routes.post("/api/incidents/{id}/actions/{action}/done", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            long actionId = pathNumber(ctx, "action");
            Optional<Incident> found = visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Optional<Cases.Action> done = db.transaction(c -> {
                Optional<Cases.Action> d = cases.actionDone(c, found.get(), actionId, who);
                if (d.isPresent()) {
                    audit.record(c, who.name(), "case-action-done", "incident=" + found.get().id() + " action=" + actionId);
                }
                return d;
            });
            if (done.isEmpty()) {
                ctx.status(409).result("no open action " + actionId + " on this incident (already done, or another incident's)");
                return;
            }
            feed.actionDone(found.get(), done.get().kind());
            Web.json(ctx, done.get());
        }, RouteAccess.of(Permission.WORK_CASE));
        config.routes.post("/api/incidents/{id}/reopen", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            String reason = ReopenRequest.from(body(ctx)).reason();
            Optional<Incident> found = visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Optional<Incident> reopened = db.transaction(c -> {
                Optional<Incident> r = cases.reopen(c, found.get(), reason, who);
                if (r.isPresent()) {
                    audit.record(c, who.name(), "case-reopen", "incident=" + found.get().id());
                }
                return r;
            });
            if (reopened.isEmpty()) {
                ctx.status(409).result("this incident is not closed");
                return;
            }
            feed.incidentChanged(reopened.get());
            Web.json(ctx, reopened.get().view());
        }, RouteAccess.of(Permission.WORK_CASE));
    }

    /** The incident of the path if this viewer may see it in full; otherwise answers 404 and returns empty. */
    static Optional<Incident> visible(Context ctx, Database db, Incidents incidents, StaffSession who) throws SQLException {
        long id = pathNumber(ctx, "id");
        Optional<Incident> found = db.query(c -> incidents.find(c, id)).filter(i -> Visibility.fullDetail(i, who));
        if (found.isEmpty()) {
            ctx.status(404).result("no such incident");
        }
        return found;
    }

    static long pathNumber(Context ctx, String name) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " in the path must be a number");
        }
    }

    static JsonNode body(Context ctx) {
        if (ctx.body().isBlank()) {
            return Json.object();
        }
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        if (!body.isObject()) {
            throw new IllegalArgumentException("the request body must be a JSON object");
        }
        return body;
    }

    static String required(JsonNode body, String field, int max) {
        String value = optional(body, field, max);
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    static String optional(JsonNode body, String field, int max) {
        String value = body.path(field).asText("").strip();
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters");
        }
        return value.isEmpty() ? null : value;
    }

    static long number(JsonNode body, String field) {
        if (!body.path(field).canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be a number");
        }
        return body.get(field).asLong();
    }

    /** An ISO-8601 date-time with an offset, e.g. 2026-11-27T16:00:00Z or 2026-11-27T16:00:00+00:00. */
    static Instant instant(JsonNode body, String field) {
        String text = required(body, field, 64);
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " must be an ISO-8601 date-time with an offset, e.g. 2026-11-27T16:00:00Z");
        }
    }

    /** Policy: record the URL of misuse (never the content itself). Only http(s) addresses are kept. */
    static String url(JsonNode body, String field) {
        String value = optional(body, field, 2048);
        if (value != null && !value.matches("(?i)https?://\\S+")) {
            throw new IllegalArgumentException(field + " must be an http:// or https:// address");
        }
        return value;
    }
}
