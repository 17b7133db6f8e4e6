package haven.coordinator.web;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Breaches;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Data-breach records (docs/DATA-PROTECTION.md). Policy: "report data breaches within 72 hours as required by
 * the ICO". The DSL or the head records a suspected breach (when the school became aware, what happened, what
 * data and how many people, containment), its updates, and the decision: reported to the ICO (reference and
 * time) or not reported (why). Each change is chained by {@link Breaches} in the same transaction as its audit
 * row; every read is audited. The free text is bounded here, before anything is written.
 */
public final class BreachRoutes {
    static final int MAX_WHAT = 2000;
    static final int MAX_DATA = 1000;
    static final int MAX_PEOPLE = 200;
    static final int MAX_NOTE = 2000;
    static final int MAX_REFERENCE = 64;

    private BreachRoutes() {
    }

    /** POST /api/breaches: when the school became aware, what happened, what data, how many people, and any containment. */
    record SuspectedRequest(Instant discoveredAt, String whatHappened, String dataAffected, String peopleAffected,
                            Optional<String> containment) {
        static SuspectedRequest from(JsonNode body) {
            Instant discovered = CaseRoutes.instant(body, "discoveredAt");
            return new SuspectedRequest(discovered, required(body, "whatHappened", MAX_WHAT), required(body, "dataAffected", MAX_DATA),
                    required(body, "peopleAffected", MAX_PEOPLE), Optional.ofNullable(Web.text(body, "containment", MAX_WHAT)));
        }

        /** A discovery later than our clock (beyond a staff PC's skew) is refused: it cannot have happened yet. */
        Breaches.Suspected suspected(Instant now) {
            if (discoveredAt.isAfter(now.plus(Breaches.FUTURE_SKEW))) {
                throw new IllegalArgumentException("discoveredAt cannot be in the future");
            }
            return new Breaches.Suspected(discoveredAt, whatHappened, dataAffected, peopleAffected, containment.orElse(null));
        }
    }

    /** POST /api/breaches/{id}/notes: an update to the record. */
    record NoteRequest(String text) {
        static NoteRequest from(JsonNode body) {
            return new NoteRequest(required(body, "text", MAX_NOTE));
        }
    }

    /**
     * POST /api/breaches/{id}/decision: reported (the ICO's reference and when) or not reported (why), and whether
     * the people affected were told. The reference and time are read only for a reported breach, as before.
     */
    record DecisionRequest(Breaches.Verdict verdict, Optional<String> icoReference, Optional<Instant> reportedAt,
                           Optional<String> reason, boolean peopleTold) {
        static DecisionRequest from(JsonNode body) {
            Breaches.Verdict verdict = Breaches.Verdict.of(body.path("decision").asText(""))
                    .orElseThrow(() -> new IllegalArgumentException("decision must be one of " + new TreeSet<>(Breaches.DECISIONS)));
            JsonNode told = body.get("peopleTold");
            if (told == null || !told.isBoolean()) {
                throw new IllegalArgumentException("peopleTold is required: true or false (were the people affected told?)");
            }
            if (verdict == Breaches.Verdict.NOT_REPORTED_TO_ICO) {
                return new DecisionRequest(verdict, Optional.empty(), Optional.empty(), Optional.of(required(body, "reason", MAX_WHAT)),
                        told.asBoolean());
            }
            String reference = required(body, "icoReference", MAX_REFERENCE);
            Instant reportedAt = CaseRoutes.instant(body, "reportedAt");
            return new DecisionRequest(verdict, Optional.of(reference), Optional.of(reportedAt),
                    Optional.ofNullable(Web.text(body, "reason", MAX_WHAT)), told.asBoolean());
        }

        /** The report's time is checked against our clock and the breach's discovery, which the body alone cannot know. */
        Breaches.Decision decision(Breaches.Breach breach, Instant now) {
            if (reportedAt.isPresent()) {
                if (reportedAt.get().isAfter(now.plus(Breaches.FUTURE_SKEW))) {
                    throw new IllegalArgumentException("reportedAt cannot be in the future");
                }
                if (reportedAt.get().isBefore(breach.discoveredAt())) {
                    throw new IllegalArgumentException("reportedAt cannot be before the breach was discovered");
                }
            }
            return new Breaches.Decision(verdict.stored(), icoReference.orElse(null), reportedAt.orElse(null), reason.orElse(null),
                    peopleTold);
        }
    }

    /** GET /api/breaches: the server's now (the countdowns' reference) and every breach. */
    record BreachList(Instant now, List<Breaches.View> breaches) {
    }

    /** GET /api/breaches/{id}: the breach and its notes, oldest first. */
    record BreachDetail(@JsonUnwrapped Breaches.View breach, List<Breaches.Note> notes) {
    }

    public static void mount(JavalinConfig config, Database db, Breaches breaches, AuditLog audit, LiveFeed feed, Clock clock) {
        config.routes.get("/api/breaches", ctx -> {
            StaffSession who = Web.staff(ctx);
            Instant now = clock.instant();
            BreachList out = db.transaction(c -> {
                audit.record(c, who.name(), "view-breaches", "all");
                return new BreachList(now, breaches.list(c).stream().map(b -> b.view(now)).toList());
            });
            Web.json(ctx, out);
        }, RouteAccess.of(Permission.VIEW_BREACHES));
        config.routes.get("/api/breaches/{id}", ctx -> {
            StaffSession who = Web.staff(ctx);
            long id = Web.id(ctx, "id");
            Optional<BreachDetail> out = db.transaction(c -> {
                Optional<Breaches.Breach> b = breaches.find(c, id);
                if (b.isEmpty()) {
                    return Optional.<BreachDetail>empty();
                }
                audit.record(c, who.name(), "view-breach", "breach=" + id);
                return Optional.of(new BreachDetail(b.get().view(clock.instant()), Breaches.noteList(c, id)));
            });
            if (out.isEmpty()) {
                ctx.status(404).result("no such breach record");
                return;
            }
            Web.json(ctx, out.get());
        }, RouteAccess.of(Permission.VIEW_BREACHES));
        config.routes.post("/api/breaches", ctx -> {
            StaffSession who = Web.staff(ctx);
            Breaches.Suspected suspected = SuspectedRequest.from(CaseRoutes.body(ctx)).suspected(clock.instant());
            Breaches.Breach recorded = db.transaction(c -> {
                Breaches.Breach b = breaches.record(c, suspected, who);
                audit.record(c, who.name(), "record-breach", "breach=" + b.id());
                return b;
            });
            feed.breachChanged(recorded);
            ctx.status(201);
            Web.json(ctx, recorded.view(clock.instant()));
        }, RouteAccess.of(Permission.RECORD_BREACH));
        config.routes.post("/api/breaches/{id}/notes", ctx -> {
            StaffSession who = Web.staff(ctx);
            long id = Web.id(ctx, "id");
            String text = NoteRequest.from(CaseRoutes.body(ctx)).text();
            Optional<Breaches.Breach> found = found(ctx, db, breaches, id);
            if (found.isEmpty()) {
                return;
            }
            Breaches.Note note = db.transaction(c -> {
                Breaches.Note n = breaches.addNote(c, found.get(), text, who);
                audit.record(c, who.name(), "breach-note", "breach=" + id + " note=" + n.id());
                return n;
            });
            ctx.status(201);
            Web.json(ctx, note);
        }, RouteAccess.of(Permission.RECORD_BREACH));
        config.routes.post("/api/breaches/{id}/decision", ctx -> {
            StaffSession who = Web.staff(ctx);
            long id = Web.id(ctx, "id");
            JsonNode body = CaseRoutes.body(ctx);
            Optional<Breaches.Breach> found = found(ctx, db, breaches, id);
            if (found.isEmpty()) {
                return;
            }
            // Parsed after the lookup, as before: a decision on a record that does not exist is a 404 whatever its body.
            Breaches.Decision decision = DecisionRequest.from(body).decision(found.get(), clock.instant());
            Optional<Breaches.Breach> decided = db.transaction(c -> {
                Optional<Breaches.Breach> d = breaches.decide(c, found.get(), decision, who);
                if (d.isPresent()) {
                    audit.record(c, who.name(), "breach-decision", "breach=" + id + " decision=" + decision.decision());
                }
                return d;
            });
            if (decided.isEmpty()) {
                ctx.status(409).result("this breach has already been decided; add a note instead");
                return;
            }
            feed.breachChanged(decided.get());
            Web.json(ctx, decided.get().view(clock.instant()));
        }, RouteAccess.of(Permission.RECORD_BREACH));
    }

    private static Optional<Breaches.Breach> found(Context ctx, Database db, Breaches breaches, long id) throws SQLException {
        Optional<Breaches.Breach> b = db.query(c -> breaches.find(c, id));
        if (b.isEmpty()) {
            ctx.status(404).result("no such breach record");
        }
        return b;
    }

    private static String required(JsonNode body, String field, int max) {
        String value = Web.text(body, field, max);
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }
}
