package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * One case as a zip a school can hand over or keep (docs/CASEWORK.md): the incident with its notes, actions
 * and review; the incident's entries of the evidence chain with their hashes, so a reader can recompute
 * each one; the attachments under their SHA-256; the review PDF when the review is complete; and a
 * manifest with the SHA-256 of every other entry. {@link #verify} needs no database: it is what
 * `haven verify-bundle` runs. The manifest's own hash is chained in the log when the bundle is made
 * ({@code coordinator.exported}, format bundle), so the database can vouch for the manifest too.
 */
public final class CaseBundle {
    private static final String CHAIN_HEAD = "SELECT hash FROM events ORDER BY pos DESC LIMIT 1";

    public static final String FORMAT = "haven-case-bundle/1";
    public static final String MANIFEST = "manifest.json";
    public static final String INCIDENT = "incident.json";
    public static final String EVENTS = "events.json";
    public static final String REVIEW_PDF = "review.pdf";

    private CaseBundle() {
    }

    /** The zip and the SHA-256 of its manifest. */
    public record Built(byte[] zip, String manifestSha256) {
    }

    public static Built build(Handle c, Incident incident, Cases cases, CaseEvidence evidence, String by, Instant at)
            throws SQLException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        ObjectNode inc = incident.toJson();
        inc.setAll(cases.json(c, incident.id()));
        ObjectNode review = evidence.review(c, incident);
        inc.set("review", review);
        entries.put(INCIDENT, Json.write(inc).getBytes(StandardCharsets.UTF_8));
        entries.put(EVENTS, Json.write(events(c, incident)).getBytes(StandardCharsets.UTF_8));
        for (CaseEvidence.Attachment a : evidence.attachments(c, incident.id())) {
            entries.put("attachments/" + a.sha256() + extension(a.mediaType()), evidence.content(c, a.sha256()).orElseThrow());
        }
        if (review.get("complete").asBoolean()) {
            entries.put(REVIEW_PDF, ReviewPdf.render(incident, review, by, at));
        }
        ObjectNode manifest = Json.object();
        manifest.put("format", FORMAT);
        manifest.put("incident", incident.id());
        manifest.put("caseNumber", incident.caseNumber());
        manifest.put("exportedAt", Json.time(at));
        manifest.put("exportedBy", by);
        manifest.put("chainHead", chainHead(c));
        manifest.put("howToCheck", "each entry's SHA-256 is listed below; in events.json each hash is"
                + " SHA-256(prevHash + \"\\n\" + payload) over the payload text exactly as stored; attachments are named by the"
                + " SHA-256 of their bytes, which a coordinator.attachment-added event records; ./haven verify-bundle FILE checks all of it");
        ObjectNode listed = manifest.putObject("entries");
        entries.forEach((name, bytes) -> listed.put(name, CaseEvidence.sha256(bytes)));
        byte[] manifestBytes = Json.write(manifest).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, MANIFEST, manifestBytes);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                put(zip, e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("bundle could not be written in memory", e);
        }
        return new Built(out.toByteArray(), CaseEvidence.sha256(manifestBytes));
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    private static String extension(String mediaType) {
        return switch (mediaType) {
            case "image/png" -> ".png";
            case "image/jpeg" -> ".jpg";
            default -> ".pdf";
        };
    }

    /** The incident's chain entries (its hub events and every coordinator record naming it), in log order. */
    private static ArrayNode events(Handle c, Incident incident) throws SQLException {
        ArrayNode out = Json.array();
        try (var entries = Incidents.reportEvents(c, incident).iterator()) {
            entries.forEachRemaining(e -> out.addObject().put("pos", e.pos()).put("payload", e.payload()).put("prevHash", e.prevHash())
                    .put("hash", e.hash()));
        }
        return out;
    }

    private static String chainHead(Handle c) throws SQLException {
        return c.createQuery(CHAIN_HEAD).mapTo(String.class).findOne().orElse(EventLog.GENESIS);
    }

    /** What {@link #verify} found: intact, or the entry that changed and why. */
    public record Check(int entries, int events, Optional<String> broken) {
        public boolean intact() {
            return broken.isEmpty();
        }
    }

    /** Checks a bundle with no database: manifest hashes, every event's hash, every attachment's name and its chained record. */
    public static Check verify(byte[] zipBytes) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (entries.put(e.getName(), zip.readAllBytes()) != null) {
                    return broken(entries, 0, "entry " + e.getName() + ": appears twice");
                }
            }
        }
        byte[] manifestBytes = entries.get(MANIFEST);
        if (manifestBytes == null) {
            return broken(entries, 0, "entry " + MANIFEST + ": missing (not a Haven case bundle)");
        }
        JsonNode manifest;
        try {
            manifest = Json.parse(manifestBytes);
        } catch (RuntimeException e) {
            return broken(entries, 0, "entry " + MANIFEST + ": not valid JSON");
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            return broken(entries, 0, "entry " + MANIFEST + ": format is not " + FORMAT);
        }
        JsonNode listed = manifest.path("entries");
        for (var it = listed.fields(); it.hasNext(); ) {
            var e = it.next();
            byte[] bytes = entries.get(e.getKey());
            if (bytes == null) {
                return broken(entries, 0, "entry " + e.getKey() + ": listed in the manifest but missing");
            }
            if (!CaseEvidence.sha256(bytes).equals(e.getValue().asText())) {
                return broken(entries, 0, "entry " + e.getKey() + ": changed (its SHA-256 is not the manifest's)");
            }
        }
        for (String name : entries.keySet()) {
            if (!name.equals(MANIFEST) && !listed.has(name)) {
                return broken(entries, 0, "entry " + name + ": not listed in the manifest");
            }
        }
        JsonNode events;
        try {
            events = Json.parse(entries.getOrDefault(EVENTS, "[]".getBytes(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return broken(entries, 0, "entry " + EVENTS + ": not valid JSON");
        }
        Set<String> chainedAttachments = new HashSet<>();
        long lastPos = 0;
        int count = 0;
        for (JsonNode e : events) {
            long pos = e.path("pos").asLong();
            String payload = e.path("payload").asText();
            if (pos <= lastPos) {
                return broken(entries, count, "entry " + EVENTS + ": event at position " + pos + " is out of log order");
            }
            if (!EventLog.chain(e.path("prevHash").asText(), payload).equals(e.path("hash").asText())) {
                return broken(entries, count, "entry " + EVENTS + ": event at position " + pos + " does not match its hash");
            }
            JsonNode p = Json.parse(payload.getBytes(StandardCharsets.UTF_8));
            if (StaffDecisions.ATTACHMENT_ADDED.equals(p.path("type").asText())) {
                chainedAttachments.add(p.path("data").path("sha256").asText());
            }
            lastPos = pos;
            count++;
        }
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (e.getKey().startsWith("attachments/")) {
                String hash = CaseEvidence.sha256(e.getValue());
                if (!e.getKey().startsWith("attachments/" + hash + ".")) {
                    return broken(entries, count, "entry " + e.getKey() + ": its bytes do not have the SHA-256 it is named by");
                }
                if (!chainedAttachments.contains(hash)) {
                    return broken(entries, count, "entry " + e.getKey() + ": no chained coordinator.attachment-added record names it");
                }
            }
        }
        return new Check(entries.size(), count, Optional.empty());
    }

    private static Check broken(Map<String, byte[]> entries, int events, String why) {
        return new Check(entries.size(), events, Optional.of(why));
    }
}
