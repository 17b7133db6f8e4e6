package haven.coordinator.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Permission;
import haven.coordinator.Permissions;
import haven.coordinator.Sessions;
import haven.coordinator.StaffAupAcceptances;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Staff AUP at login: reading the version in force, accepting it (both open before acceptance, see
 * {@link AccessFilter}), and, for the coordinator and head, who has not accepted it yet. Publishing it is the
 * AUPs page's form with the {@code staff} key stage ({@link AupRoutes}).
 */
final class StaffAupRoutes {
    private final Database db;
    private final StaffAupAcceptances staffAup;
    private final AuditLog audit;
    private final Sessions sessions;

    /** The version the member of staff read and accepts: "2" or 2. */
    record AcceptRequest(int version) {
        static AcceptRequest from(JsonNode body) {
            String text = body.path("version").asText("");
            if (!text.matches("[0-9]{1,6}")) {
                throw new IllegalArgumentException("version must be the number of the Staff AUP version you read");
            }
            return new AcceptRequest(Integer.parseInt(text));
        }
    }

    /** GET /api/aups/staff: whether this role is asked, the version in force (or null), and whether it is accepted. */
    record StaffAupBody(boolean asked, CurrentBody current, boolean accepted) {
    }

    /** The Staff AUP in force; the version is text, as everywhere the dashboard reads it. */
    record CurrentBody(String version, String title, String markdown, Instant publishedAt) {
    }

    /** POST /api/aups/staff/accept: the version now accepted. */
    record AcceptedBody(String accepted) {
    }

    /**
     * GET /api/aups/staff/acceptance: {"published": false} while there is none; else the version in force, who has
     * not accepted it (with the last version they did, or null) and who has.
     */
    record AcceptanceBody(boolean published, @JsonInclude(JsonInclude.Include.NON_NULL) String version,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String title,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Instant publishedAt,
                          @JsonInclude(JsonInclude.Include.NON_NULL) List<NotYetRow> notYet,
                          @JsonInclude(JsonInclude.Include.NON_NULL) List<AcceptedRow> accepted) {
    }

    record NotYetRow(String name, String role, String lastAccepted) {
    }

    record AcceptedRow(String name, String role, Instant acceptedAt) {
    }

    StaffAupRoutes(Database db, StaffAupAcceptances staffAup, AuditLog audit, Sessions sessions) {
        this.db = db;
        this.staffAup = staffAup;
        this.audit = audit;
        this.sessions = sessions;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/api/aups/staff", ctx -> {
            StaffSession who = Web.staff(ctx);
            Optional<StaffAupAcceptances.Current> current = staffAup.current();
            boolean asked = Permissions.asksStaffAup(who.role());
            if (current.isEmpty()) {
                Web.json(ctx, new StaffAupBody(asked, null, false));
                return;
            }
            StaffAupAcceptances.Current c = current.get();
            Web.json(ctx, new StaffAupBody(asked, new CurrentBody(Integer.toString(c.version()), c.title(), c.markdown(),
                    c.publishedAt()), asked && staffAup.accepted(who.name(), c.version())));
        }, RouteAccess.SIGNED_IN_BEFORE_STAFF_AUP);
        config.routes.post("/api/aups/staff/accept", ctx -> {
            StaffSession who = Web.staff(ctx);
            AcceptRequest request = AcceptRequest.from(Json.parse(ctx.bodyAsBytes()));
            switch (staffAup.accept(who.name(), who.role(), request.version())) {
                case RECORDED, ALREADY_ACCEPTED -> {
                    audit.record(who.name(), "staff-aup-accept", "v" + request.version());
                    sessions.staffAupAccepted(who.token());
                    Web.json(ctx, new AcceptedBody(Integer.toString(request.version())));
                }
                case NOT_CURRENT -> ctx.status(409).result("that is not the current Staff AUP version: a newer one has "
                        + "been published; read it and accept that");
                case NONE_PUBLISHED -> ctx.status(409).result("no Staff AUP has been published");
            }
        }, RouteAccess.SIGNED_IN_BEFORE_STAFF_AUP);
        config.routes.get("/api/aups/staff/acceptance", ctx -> {
            StaffSession who = Web.staff(ctx);
            Web.json(ctx, db.transaction(c -> {
                audit.record(c, who.name(), "view-staff-aup-acceptance", "names");
                Optional<StaffAupAcceptances.Current> current = StaffAupAcceptances.current(c);
                if (current.isEmpty()) {
                    return new AcceptanceBody(false, null, null, null, null, null);
                }
                List<NotYetRow> notYet = new ArrayList<>();
                List<AcceptedRow> accepted = new ArrayList<>();
                for (StaffAupAcceptances.Standing s : staffAup.standings(c, current.get().version())) {
                    if (s.acceptedAt() != null) {
                        accepted.add(new AcceptedRow(s.name(), s.role().wire(), s.acceptedAt()));
                    } else {
                        notYet.add(new NotYetRow(s.name(), s.role().wire(),
                                s.lastAccepted().isPresent() ? Integer.toString(s.lastAccepted().getAsInt()) : null));
                    }
                }
                return new AcceptanceBody(true, Integer.toString(current.get().version()), current.get().title(),
                        current.get().publishedAt(), notYet, accepted);
            }));
        }, RouteAccess.of(Permission.VIEW_STAFF_AUP_ACCEPTANCE));
    }
}
