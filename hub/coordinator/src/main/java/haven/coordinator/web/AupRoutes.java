package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import haven.coordinator.AupLibrary;
import haven.coordinator.Permission;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.sql.SQLException;

/** The Acceptable Use Policies "displayed in every classroom": the versions in force, and publishing a new one. */
final class AupRoutes {
    private final Database db;
    private final AupLibrary aups;
    private final AuditLog audit;
    private final LiveFeed feed;

    /** A new version of one key stage's AUP, as Markdown (the hub renders it safely). */
    record PublishRequest(String keyStage, String language, String markdown) {
        static PublishRequest from(JsonNode body) {
            return new PublishRequest(body.path("keyStage").asText(""), body.path("language").asText("en"),
                    body.path("markdown").asText(""));
        }
    }

    AupRoutes(Database db, AupLibrary aups, AuditLog audit, LiveFeed feed) {
        this.db = db;
        this.aups = aups;
        this.audit = audit;
        this.feed = feed;
    }

    void mount(JavalinConfig config) {
        config.routes.get("/api/aups", ctx -> Web.json(ctx, VersionsBody.of(aups)), RouteAccess.of(Permission.VIEW_AUPS));
        config.routes.post("/api/aups", ctx -> {
            StaffSession who = Web.staff(ctx);
            PublishRequest request = PublishRequest.from(Json.parse(ctx.bodyAsBytes()));
            var published = aups.publish(request.keyStage(), request.language(), request.markdown(), who.name());
            db.transaction(c -> {
                audit.record(c, who.name(), "aup-publish", published.keyStage() + " v" + published.version()
                        + (published.language().equals("en") ? "" : " " + published.language()));
                return null;
            });
            VersionsBody versions = VersionsBody.of(aups);
            feed.aupsChanged(Json.MAPPER.valueToTree(versions));
            Web.json(ctx, versions);
        }, RouteAccess.of(Permission.PUBLISH_AUP));
    }

    /**
     * The latest version per key stage, {"latest": {"ks2": "3", ...}}, and per key stage and language,
     * {"languages": {"ks2": {"cy": "1", "en": "3"}}}, English included; in the library's order.
     */
    record VersionsBody(Map<String, String> latest, Map<String, Map<String, String>> languages) {
        static VersionsBody of(AupLibrary aups) throws SQLException {
            Map<String, String> latest = new LinkedHashMap<>();
            aups.latest().forEach((ks, m) -> latest.put(ks, m.version()));
            Map<String, Map<String, String>> languages = new LinkedHashMap<>();
            for (var m : aups.latestInEveryLanguage()) {
                languages.computeIfAbsent(m.keyStage(), ks -> new LinkedHashMap<>()).put(m.language(), m.version());
            }
            return new VersionsBody(latest, languages);
        }
    }

    /** The same as {@link VersionsBody}, as a tree, for the live feed's snapshot. */
    static ObjectNode versions(AupLibrary aups) throws SQLException {
        return Json.MAPPER.valueToTree(VersionsBody.of(aups));
    }
}
