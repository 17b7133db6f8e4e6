package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import haven.coordinator.evidence.EventLog;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One incident as evidence to hand on (to the DSL's file, the LADO or the police): the incident, its
 * chronology, and the chain proof — each of its events' place and hash in the log, the log's head, and
 * whether the whole chain verified at the moment of export.
 */
public final class IncidentExport {
    private static final String HEAD = "SELECT pos, hash FROM events ORDER BY pos DESC LIMIT 1";

    private final Incidents incidents;

    public IncidentExport(Incidents incidents) {
        this.incidents = incidents;
    }

    public Optional<ObjectNode> build(Handle c, long id, String by, Instant at) throws SQLException {
        Optional<Incident> found = incidents.find(c, id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Incident incident = found.get();
        ObjectNode out = Json.object();
        out.put("exportedAt", Json.time(at));
        out.put("exportedBy", by);
        out.set("incident", incident.toJson());
        ArrayNode chronology = out.putArray("chronology");
        List<ObjectNode> steps = incidents.chronology(c, incident);
        steps.forEach(chronology::add);
        ObjectNode proof = out.putObject("chainProof");
        ArrayNode rows = proof.putArray("events");
        try (var entries = Incidents.reportEvents(c, incident).iterator()) {
            entries.forEachRemaining(e -> rows.addObject().put("position", e.pos()).put("id", e.id()).put("type", e.type())
                    .put("previousHash", e.prevHash()).put("hash", e.hash()));
        }
        c.createQuery(HEAD).map((rs, ctx) -> proof.put("headPosition", rs.getLong(1)).put("headHash", rs.getString(2))).findOne();
        // "Verified" only after the same check verify-log runs, for the part that covers this incident.
        haven.coordinator.evidence.EvidenceCheck.Result check = haven.coordinator.evidence.EvidenceCheck.forIncident(c, incident.reportId());
        proof.put("verified", check.intact());
        check.finding().ifPresent(f -> proof.put("failed", "evidence BROKEN in table " + f.table() + " at " + f.row() + ": " + f.reason()));
        proof.put("chainIntact", check.finding().map(f -> !java.util.Set.of("events", "purge_in_progress", "chain_checkpoints")
                .contains(f.table())).orElse(true));
        proof.put("eventsChecked", check.events());
        proof.put("witness", "the hubs' witnessed heads are checked by haven verify-log --hub-db HUB.db");
        proof.put("how", "hash = SHA-256(previous hash + newline + canonical JSON of the event); check with haven verify-log");
        return Optional.of(out);
    }

    /** A printable page of the same export. Everything is escaped: the page shows data, it runs nothing. */
    public static String html(ObjectNode export, String stylesheet) {
        JsonNode inc = export.get("incident");
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Incident ")
                .append(esc(inc.path("id").asText())).append("</title><link rel=\"stylesheet\" href=\"").append(esc(stylesheet)).append("\"></head><body>\n");
        h.append("<h1>Incident ").append(esc(inc.path("id").asText())).append(" — ").append(esc(inc.path("room").asText())).append("</h1>\n");
        h.append("<p>Exported ").append(esc(export.path("exportedAt").asText())).append(" by ")
                .append(esc(export.path("exportedBy").asText())).append(". No pupil names are recorded by Haven.</p>\n<table>\n");
        for (String f : List.of("status", "openedAt", "presses", "category", "computer", "ackedAt", "ackedBy", "escalatedAt",
                "closedAt", "outcome", "url", "nature", "notes")) {
            if (inc.hasNonNull(f)) {
                h.append("<tr><th>").append(esc(f)).append("</th><td>").append(esc(inc.get(f).asText())).append("</td></tr>\n");
            }
        }
        h.append("</table>\n<h2>Chronology</h2>\n<ol>\n");
        for (JsonNode step : export.get("chronology")) {
            String what = step.path("kind").asText().equals("event") ? step.path("type").asText()
                    : step.path("action").asText() + " by " + step.path("actor").asText();
            h.append("<li>").append(esc(step.path("at").asText())).append(" — ").append(esc(what)).append("</li>\n");
        }
        JsonNode proof = export.get("chainProof");
        h.append("</ol>\n<h2>Chain proof</h2>\n<p>");
        if (proof.path("verified").asBoolean()) {
            h.append("<strong>Verified</strong>: the log's chain, its stored columns, the audit chain and this incident rebuilt from the"
                    + " log all match at export.");
        } else {
            h.append("<strong>NOT verified</strong>: ").append(esc(proof.path("failed").asText("the check did not pass")));
        }
        h.append("</p>\n<p>Whole log at export: <strong>")
                .append(proof.path("chainIntact").asBoolean() ? "intact" : "BROKEN").append("</strong> (")
                .append(proof.path("eventsChecked").asLong()).append(" events). Head ")
                .append(esc(proof.path("headPosition").asText())).append(": <code>").append(esc(proof.path("headHash").asText()))
                .append("</code></p>\n<table><tr><th>position</th><th>event</th><th>hash</th></tr>\n");
        for (JsonNode r : proof.get("events")) {
            h.append("<tr><td>").append(r.path("position").asLong()).append("</td><td>").append(esc(r.path("type").asText()))
                    .append("</td><td><code>").append(esc(r.path("hash").asText())).append("</code></td></tr>\n");
        }
        h.append("</table>\n<p>").append(esc(proof.path("how").asText())).append("</p>\n</body></html>\n");
        return h.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
