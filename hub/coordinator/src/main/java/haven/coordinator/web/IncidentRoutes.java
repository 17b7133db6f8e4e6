package haven.coordinator.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.CloseOutcome;
import haven.coordinator.Cases;
import haven.coordinator.CommandSender;
import haven.coordinator.FollowUpLookup;
import haven.coordinator.Incident;
import haven.coordinator.IncidentView;
import haven.coordinator.IncidentExport;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.Visibility;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The incidents a member of staff works on: the list, one incident with its chronology, acknowledging,
 * closing with an outcome, the export for the school's records, and the pupil's follow-up code look-up.
 * Every read is audited; every decision is a chained record in the same transaction as the change.
 */
final class IncidentRoutes {
    private final Database db;
    private final Incidents incidents;
    private final AuditLog audit;
    private final StaffDecisions decisions;
    private final CommandSender commands;
    private final LiveFeed feed;
    private final FollowUpLookup followUps;
    private final Clock clock;

    /** The close form. Policy: record the URL of misuse (never the content itself); only http(s) addresses are kept. */
    record CloseRequest(CloseOutcome outcome, String notes, String url, String nature) {
        static CloseRequest from(JsonNode body) {
            CloseOutcome outcome = CloseOutcome.fromStored(body.path("outcome").asText("")).filter(CloseOutcome::chosenAtClosing)
                    .orElseThrow(() -> new IllegalArgumentException("outcome must be one of " + CloseOutcome.chosenWords()));
            String url = Web.text(body, "url", 2048);
            if (url != null && !url.matches("(?i)https?://\\S+")) {
                throw new IllegalArgumentException("url must be an http:// or https:// address");
            }
            // Closing needs a note: the log the DSL keeps is "of online safety incidents along with any follow up".
            String notes = Web.text(body, "notes", 4000);
            if (notes == null) {
                throw new IllegalArgumentException("notes is required: say what was done before closing");
            }
            return new CloseRequest(outcome, notes, url, Web.text(body, "nature", 2000));
        }

        Incidents.Closing closing() {
            return new Incidents.Closing(outcome, notes, url, nature);
        }
    }

    /** GET /api/incidents: what this viewer may see of each incident. */
    record IncidentList(List<IncidentView> incidents) {
    }

    /**
     * GET /api/incidents/{id}: the incident as this viewer may see it; in full detail its case work (notes, actions,
     * attachments; absent from a redacted view) and its chronology (empty for a redacted view).
     */
    record Detail(@JsonUnwrapped IncidentView incident, @JsonUnwrapped Cases.CaseWork caseWork, List<ObjectNode> chronology) {
    }

    /** An acknowledged or closed incident, and whether the kiosk was told (absent when there was nothing to tell). */
    record Changed(@JsonUnwrapped IncidentView.Full incident, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean hubNotified) {
    }

    IncidentRoutes(Database db, Incidents incidents, AuditLog audit, StaffDecisions decisions, CommandSender commands,
                   LiveFeed feed, FollowUpLookup followUps, Clock clock) {
        this.db = db;
        this.incidents = incidents;
        this.audit = audit;
        this.decisions = decisions;
        this.commands = commands;
        this.feed = feed;
        this.followUps = followUps;
        this.clock = clock;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/api/incidents", this::list, RouteAccess.of(Permission.VIEW_INCIDENTS));
        config.routes.get("/api/incidents/{id}", this::detail, RouteAccess.of(Permission.VIEW_INCIDENTS));
        config.routes.post("/api/incidents/{id}/ack", this::acknowledge, RouteAccess.of(Permission.ACKNOWLEDGE));
        config.routes.post("/api/incidents/{id}/close", this::close, RouteAccess.of(Permission.CLOSE));
        config.routes.get("/api/incidents/{id}/export", this::export, RouteAccess.of(Permission.EXPORT));
        config.routes.get("/api/follow-up/{code}", ctx -> {
            FollowUpLookup.Answer answer = followUps.answer(ctx.pathParam("code"), Web.staff(ctx));
            ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
        }, RouteAccess.of(Permission.LOOK_UP_FOLLOW_UP));
    }

    private void list(Context ctx) throws SQLException {
        StaffSession who = Web.staff(ctx);
        String status = Optional.ofNullable(ctx.queryParam("status")).orElse("open");
        List<Incident> list = db.transaction(c -> {
            audit.record(c, who.name(), "list-incidents", "status=" + status);
            return incidents.list(c, status, i -> i.view(who).isPresent()); // filter before the cap
        });
        Web.json(ctx, new IncidentList(list.stream().flatMap(i -> i.view(who).stream()).toList()));
    }

    /** One incident with its chronology; the view itself is audited. */
    private void detail(Context ctx) throws SQLException {
        StaffSession who = Web.staff(ctx);
        long id = Web.id(ctx, "id");
        Optional<Incident> found = db.query(c -> incidents.find(c, id));
        Optional<IncidentView> view = found.flatMap(i -> i.view(who));
        if (view.isEmpty()) {
            ctx.status(404).result("no such incident");
            return;
        }
        boolean full = Visibility.fullDetail(found.get(), who);
        Detail detail = db.transaction(c -> {
            audit.record(c, who.name(), "view-incident", "incident=" + id);
            return full ? new Detail(view.get(), new Cases(incidents, clock).caseWork(c, id), incidents.chronology(c, found.get()))
                    : new Detail(view.get(), null, List.of());
        });
        Web.json(ctx, detail);
    }

    private void acknowledge(Context ctx) throws SQLException {
        StaffSession who = Web.staff(ctx);
        long id = Web.id(ctx, "id");
        if (visible(id, who).isEmpty()) {
            ctx.status(404).result("no such incident");
            return;
        }
        Optional<Incident> acked = db.transaction(c -> {
            Instant at = clock.instant();
            Optional<Incident> done = incidents.acknowledge(c, id, who.name(), at);
            if (done.isPresent()) {
                audit.record(c, who.name(), "acknowledge", "incident=" + id);
                decisions.record(c, StaffDecisions.ACKNOWLEDGED, done.get().room(), at, Json.object().put("incident", id)
                        .put("report", done.get().reportId()).put("by", who.name()).put("role", who.role().wire()));
            } else {
                audit.record(c, who.name(), "acknowledge-refused", "incident=" + id + " not open");
            }
            return done;
        });
        if (acked.isEmpty()) {
            ctx.status(409).result("this worry is already acknowledged or closed");
            return;
        }
        boolean sent = tellHub(acked.get(), who);
        feed.incidentChanged(acked.get());
        Web.json(ctx, new Changed(acked.get().view(), sent));
    }

    /**
     * Closing safely (docs/CASEWORK.md): an outcome (no default) and a note are required; an incident nobody
     * acknowledged is acknowledged first, chained in the same transaction, and the kiosk told as an
     * acknowledgement tells it. Only what happened is audited: a refused closing is audited as refused.
     */
    private void close(Context ctx) throws SQLException {
        StaffSession who = Web.staff(ctx);
        long id = Web.id(ctx, "id");
        CloseRequest request = CloseRequest.from(Json.parse(ctx.bodyAsBytes()));
        if (visible(id, who).isEmpty()) {
            ctx.status(404).result("no such incident");
            return;
        }
        record Closed(Incident incident, boolean acknowledgedFirst) {
        }
        Optional<Closed> closed = db.transaction(c -> {
            Instant at = clock.instant();
            Optional<Incident> acked = incidents.acknowledge(c, id, who.name(), at);
            if (acked.isPresent()) {
                audit.record(c, who.name(), "acknowledge", "incident=" + id + " on closing");
                decisions.record(c, StaffDecisions.ACKNOWLEDGED, acked.get().room(), at, Json.object().put("incident", id)
                        .put("report", acked.get().reportId()).put("by", who.name()).put("role", who.role().wire()));
            }
            Optional<Incident> done = incidents.close(c, id, who.name(), request.closing(), at);
            if (done.isEmpty()) {
                audit.record(c, who.name(), "close-refused", "incident=" + id + " already closed");
                return Optional.<Closed>empty();
            }
            audit.record(c, who.name(), "close", "incident=" + id + " outcome=" + request.outcome().stored());
            ObjectNode data = Json.object().put("incident", id).put("report", done.get().reportId()).put("by", who.name())
                    .put("role", who.role().wire()).put("outcome", request.outcome().stored());
            data.put("notes", request.notes()).put("url", request.url()).put("nature", request.nature());
            decisions.record(c, StaffDecisions.CLOSED, done.get().room(), at, data);
            return Optional.of(new Closed(done.get(), acked.isPresent()));
        });
        if (closed.isEmpty()) {
            ctx.status(409).result("this incident is already closed");
            return;
        }
        Boolean sent = closed.get().acknowledgedFirst() ? tellHub(closed.get().incident(), who) : null;
        feed.incidentChanged(closed.get().incident());
        Web.json(ctx, new Changed(closed.get().incident().view(), sent));
    }

    /** The kiosk hears of an acknowledgement only for a pupil's press: a concern or a filter check has no screen waiting. */
    private boolean tellHub(Incident incident, StaffSession who) {
        if (incident.source() != haven.coordinator.IncidentSource.WORRY) {
            return false;
        }
        ObjectNode args = Json.object();
        args.put("report", incident.reportId());
        args.put("incident", incident.id());
        return commands.send(incident.room(), CommandName.ACK, who, args);
    }

    private void export(Context ctx) throws SQLException {
        StaffSession who = Web.staff(ctx);
        long id = Web.id(ctx, "id");
        Optional<Incident> found = db.query(c -> incidents.find(c, id));
        if (found.isEmpty() || !Visibility.fullDetail(found.get(), who)) {
            ctx.status(404).result("no such incident");
            return;
        }
        String format = "json".equals(ctx.queryParam("format")) ? "json" : "html";
        Optional<ObjectNode> export = db.transaction(c -> {
            audit.record(c, who.name(), "export", "incident=" + id);
            decisions.record(c, StaffDecisions.EXPORTED, found.get().room(), Json.object().put("incident", id)
                    .put("report", found.get().reportId()).put("by", who.name()).put("role", who.role().wire()).put("format", format));
            return new IncidentExport(incidents).build(c, id, who.name(), clock.instant());
        });
        if (format.equals("json")) {
            Web.json(ctx, export.orElseThrow());
        } else {
            ctx.contentType("text/html; charset=utf-8").result(IncidentExport.html(export.orElseThrow(), "/print.css"));
        }
    }

    private Optional<Incident> visible(long id, StaffSession who) throws SQLException {
        return db.query(c -> incidents.find(c, id)).filter(i -> i.view(who).isPresent());
    }
}
