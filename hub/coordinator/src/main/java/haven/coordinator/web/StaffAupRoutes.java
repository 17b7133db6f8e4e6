package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Permission;
import haven.coordinator.Permissions;
import haven.coordinator.Sessions;
import haven.coordinator.StaffAupAcceptances;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
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

    StaffAupRoutes(Database db, StaffAupAcceptances staffAup, AuditLog audit, Sessions sessions) {
        this.db = db;
        this.staffAup = staffAup;
        this.audit = audit;
        this.sessions = sessions;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/api/aups/staff", ctx -> {
            StaffSession who = Web.staff(ctx);
            ObjectNode out = Json.object();
            Optional<StaffAupAcceptances.Current> current = staffAup.current();
            boolean asked = Permissions.asksStaffAup(who.role());
            out.put("asked", asked);
            if (current.isEmpty()) {
                out.putNull("current");
                out.put("accepted", false);
            } else {
                out.putObject("current").put("version", Integer.toString(current.get().version()))
                        .put("title", current.get().title()).put("markdown", current.get().markdown())
                        .put("publishedAt", Json.time(current.get().publishedAt()));
                out.put("accepted", asked && staffAup.accepted(who.name(), current.get().version()));
            }
            Web.json(ctx, out);
        }, RouteAccess.SIGNED_IN_BEFORE_STAFF_AUP);
        config.routes.post("/api/aups/staff/accept", ctx -> {
            StaffSession who = Web.staff(ctx);
            AcceptRequest request = AcceptRequest.from(Json.parse(ctx.bodyAsBytes()));
            switch (staffAup.accept(who.name(), who.role(), request.version())) {
                case RECORDED, ALREADY_ACCEPTED -> {
                    audit.record(who.name(), "staff-aup-accept", "v" + request.version());
                    sessions.staffAupAccepted(who.token());
                    Web.json(ctx, Json.object().put("accepted", Integer.toString(request.version())));
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
                ObjectNode out = Json.object();
                Optional<StaffAupAcceptances.Current> current = StaffAupAcceptances.current(c);
                out.put("published", current.isPresent());
                if (current.isEmpty()) {
                    return out;
                }
                out.put("version", Integer.toString(current.get().version())).put("title", current.get().title())
                        .put("publishedAt", Json.time(current.get().publishedAt()));
                ArrayNode notYet = out.putArray("notYet");
                ArrayNode accepted = out.putArray("accepted");
                for (StaffAupAcceptances.Standing s : staffAup.standings(c, current.get().version())) {
                    ObjectNode row = Json.object().put("name", s.name()).put("role", s.role().wire());
                    if (s.acceptedAt() != null) {
                        accepted.add(row.put("acceptedAt", Json.time(s.acceptedAt())));
                    } else {
                        if (s.lastAccepted().isPresent()) {
                            row.put("lastAccepted", Integer.toString(s.lastAccepted().getAsInt()));
                        } else {
                            row.putNull("lastAccepted");
                        }
                        notYet.add(row);
                    }
                }
                return out;
            }));
        }, RouteAccess.of(Permission.VIEW_STAFF_AUP_ACCEPTANCE));
    }
}
