package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Cases;
import haven.coordinator.Changes;
import haven.coordinator.ConcernAbout;
import haven.coordinator.IllegalContent;
import haven.coordinator.Incident;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.RoomId;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.util.Optional;

/**
 * A concern logged by a member of staff (docs/CASEWORK.md). Seeds: staff "report any suspected misuse or
 * problem" and "record online-safety incidents in the same way as any safeguarding incident". The concern
 * becomes an incident with source concern; who it is about routes it ({@link haven.coordinator.Visibility}).
 */
public final class ConcernRoutes {
    private ConcernRoutes() {
    }

    public static void mount(JavalinConfig config, Database db, Cases cases, AuditLog audit, Changes feed) {
        config.routes.post("/api/concerns", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Cases.Concern concern = ConcernRequest.from(CaseRoutes.body(ctx)).concern();
            Incident opened = db.transaction(c -> {
                Incident i = cases.logConcern(c, concern, who);
                audit.record(c, who.name(), "log-concern", "incident=" + i.id() + " about=" + concern.about().stored());
                return i;
            });
            feed.incidentChanged(opened);
            ctx.status(201);
            Web.json(ctx, new Logged(opened.id(), opened.caseNumber()));
        }, RouteAccess.of(Permission.LOG_CONCERN));
    }

    /** The answer to POST /api/concerns: the new incident and its case number. */
    record Logged(long id, String caseNumber) {
    }

    /**
     * POST /api/concerns. About and illegal are the domain's own words ({@link ConcernAbout}, {@link IllegalContent}),
     * stored and chained as they are spelt; illegal defaults to none.
     */
    record ConcernRequest(RoomId room, String category, String summary, Optional<String> url, Optional<String> nature,
                          ConcernAbout about, IllegalContent illegal) {
        static ConcernRequest from(JsonNode body) {
            ConcernAbout about = ConcernAbout.fromStored(body.path("about").asText(""))
                    .orElseThrow(() -> new IllegalArgumentException("about must be one of " + ConcernAbout.words()));
            IllegalContent illegal = IllegalContent.fromStored(body.path("illegal").asText(IllegalContent.NONE.stored()))
                    .orElseThrow(() -> new IllegalArgumentException("illegal must be one of " + IllegalContent.words()));
            String category = CaseRoutes.required(body, "category", 60);
            if (!category.matches("[a-z][a-z0-9-]{0,59}")) {
                throw new IllegalArgumentException("category must be a lower-case word with hyphens, e.g. unkind-online");
            }
            RoomId room = roomOf(body);
            String summary = CaseRoutes.required(body, "summary", CaseRoutes.MAX_TEXT);
            return new ConcernRequest(room, category, summary, Optional.ofNullable(CaseRoutes.url(body, "url")),
                    Optional.ofNullable(CaseRoutes.optional(body, "nature", 2000)), about, illegal);
        }

        Cases.Concern concern() {
            return new Cases.Concern(room, category, summary, url.orElse(null), nature.orElse(null), about, illegal);
        }
    }

    /** "site/room", or where it happened when not in one room: elsewhere-in-school (the default) or outside-school. */
    private static RoomId roomOf(JsonNode body) {
        String room = body.path("room").asText("").strip();
        if (room.isEmpty()) {
            room = "elsewhere-in-school";
        }
        if (Cases.PLACES.contains(room)) {
            return new RoomId(StaffDecisions.SCHOOL.site(), room);
        }
        String[] parts = room.split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("room must be site/room, elsewhere-in-school or outside-school");
        }
        return new RoomId(parts[0], parts[1]);
    }
}
