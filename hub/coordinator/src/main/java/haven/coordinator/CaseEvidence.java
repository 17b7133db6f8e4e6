package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The suspected-illegal-content review and the case's attachments (docs/CASEWORK.md); the SQL of
 * case_review_parts, case_attachments and attachment_blobs lives here, their one owner. Seeds: "more than
 * one senior member of staff involved"; "record the URL ... describe the nature of the content"; the
 * group "judges whether the concern has substance"; "the completed form retained for evidence";
 * screenshots "except in the case of images of child sexual abuse".
 */
public final class CaseEvidence {
    public static final Set<String> JUDGEMENTS = Set.of("substance", "no-substance");
    public static final Set<String> REVIEW_ACTIONS = Set.of("internal-discipline", "local-authority", "police");
    /** Two different named senior members of staff make a review complete. */
    public static final int REVIEWERS_NEEDED = 2;
    public static final long MAX_ATTACHMENT_BYTES = 2L * 1024 * 1024;
    /** Why an attachment is refused while child sexual abuse imagery is suspected: the seeds' own words. */
    public static final String CSAM_REFUSAL = "refused: screenshots are kept \"except in the case of images of child sexual abuse\"."
            + " Do not forward, copy, print or save what you have found: record the URL and describe the nature of the content,"
            + " and report it (police, CEOP).";

    private final Incidents incidents;
    private final StaffDecisions decisions;
    private final Clock clock;

    public CaseEvidence(Incidents incidents, Clock clock) {
        this.incidents = incidents;
        this.clock = clock;
        this.decisions = new StaffDecisions(clock);
    }

    /** One reviewer's part, from their own session. */
    public record Part(String computer, List<String> urls, String nature, String judgement, List<String> actions) {
    }

    /** Changes whether illegal content is suspected (it can become known mid-case); chained. */
    public Incident setIllegal(Handle c, Incident incident, String illegal, StaffSession who) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE incidents SET illegal = ? WHERE id = ?")) {
            ps.setString(1, illegal);
            ps.setLong(2, incident.id());
            ps.executeUpdate();
        }
        decisions.record(c, StaffDecisions.ILLEGAL_CHANGED, incident.room(), base(incident, who).put("from", incident.illegal())
                .put("illegal", illegal));
        return incidents.find(c, incident.id()).orElseThrow();
    }

    public ObjectNode recordPart(Handle c, Incident incident, Part part, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        ArrayNode urls = Json.array();
        part.urls().forEach(urls::add);
        ArrayNode actions = Json.array();
        part.actions().forEach(actions::add);
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO case_review_parts(incident_id, at, by_name, role, computer, urls, nature, judgement, actions)
                VALUES (?,?,?,?,?,?,?,?,?)""")) {
            ps.setLong(1, incident.id());
            ps.setString(2, Json.time(at));
            ps.setString(3, who.name());
            ps.setString(4, who.role().wire());
            ps.setString(5, part.computer());
            ps.setString(6, Json.write(urls));
            ps.setString(7, part.nature());
            ps.setString(8, part.judgement());
            ps.setString(9, Json.write(actions));
            ps.executeUpdate();
        }
        ObjectNode data = base(incident, who).put("computer", part.computer()).put("nature", part.nature())
                .put("judgement", part.judgement());
        data.set("urls", urls);
        data.set("actions", actions);
        decisions.record(c, StaffDecisions.REVIEW_RECORDED, incident.room(), at, data);
        return review(c, incident);
    }

    /** The review as it stands: every part, the distinct reviewers, whether it is complete and what the group judged. */
    public ObjectNode review(Handle c, Incident incident) throws SQLException {
        ObjectNode out = Json.object();
        out.put("incident", incident.id());
        out.put("caseNumber", incident.caseNumber());
        out.put("illegal", incident.illegal());
        ArrayNode parts = out.putArray("parts");
        Set<String> reviewers = new LinkedHashSet<>();
        Set<String> judgements = new LinkedHashSet<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT id, at, by_name, role, computer, urls, nature, judgement, actions"
                + " FROM case_review_parts WHERE incident_id = ? ORDER BY id")) {
            ps.setLong(1, incident.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode p = parts.addObject().put("id", rs.getLong(1)).put("at", rs.getString(2)).put("by", rs.getString(3))
                            .put("role", rs.getString(4)).put("computer", rs.getString(5));
                    p.set("urls", Json.parse(rs.getString(6).getBytes(StandardCharsets.UTF_8)));
                    p.put("nature", rs.getString(7)).put("judgement", rs.getString(8));
                    p.set("actions", Json.parse(rs.getString(9).getBytes(StandardCharsets.UTF_8)));
                    reviewers.add(rs.getString(3));
                    judgements.add(rs.getString(8));
                }
            }
        }
        ArrayNode names = out.putArray("reviewers");
        reviewers.forEach(names::add);
        boolean complete = reviewers.size() >= REVIEWERS_NEEDED;
        out.put("complete", complete);
        out.put("stillNeeded", Math.max(0, REVIEWERS_NEEDED - reviewers.size()));
        out.put("judgement", judgements.isEmpty() ? null : judgements.size() == 1 ? judgements.iterator().next() : "disagreed");
        return out;
    }

    /** A stored attachment's record (the bytes stay in attachment_blobs, under their hash). */
    public record Attachment(long id, String sha256, String mediaType, long size, String at, String by) {
        public ObjectNode toJson() {
            return Json.object().put("id", id).put("sha256", sha256).put("mediaType", mediaType).put("size", size).put("at", at)
                    .put("by", by);
        }
    }

    /** PNG, JPEG or PDF by their first bytes (never by the name or the header the browser sent), or empty. */
    public static Optional<String> mediaType(byte[] bytes) {
        if (starts(bytes, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("image/png");
        }
        if (starts(bytes, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("image/jpeg");
        }
        if (starts(bytes, '%', 'P', 'D', 'F', '-')) {
            return Optional.of("application/pdf");
        }
        return Optional.empty();
    }

    private static boolean starts(byte[] bytes, int... magic) {
        if (bytes.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((bytes[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /** Stores the bytes once under their hash and the attachment's record; the hash is in the chained record. */
    public Attachment attach(Handle c, Incident incident, byte[] bytes, String mediaType, StaffSession who) throws SQLException {
        String hash = sha256(bytes);
        Instant at = clock.instant();
        try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO attachment_blobs(sha256, content) VALUES (?, ?) ON CONFLICT(sha256) DO NOTHING")) {
            ps.setString(1, hash);
            ps.setBytes(2, bytes);
            ps.executeUpdate();
        }
        long id;
        try (PreparedStatement ps = c.getConnection().prepareStatement("""
                INSERT INTO case_attachments(incident_id, sha256, media_type, size, at, by_name) VALUES (?,?,?,?,?,?) RETURNING id""")) {
            ps.setLong(1, incident.id());
            ps.setString(2, hash);
            ps.setString(3, mediaType);
            ps.setLong(4, bytes.length);
            ps.setString(5, Json.time(at));
            ps.setString(6, who.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        decisions.record(c, StaffDecisions.ATTACHMENT_ADDED, incident.room(), at, base(incident, who).put("attachment", id)
                .put("sha256", hash).put("mediaType", mediaType).put("size", bytes.length));
        return new Attachment(id, hash, mediaType, bytes.length, Json.time(at), who.name());
    }

    public List<Attachment> attachments(Handle c, long incident) throws SQLException {
        List<Attachment> out = new ArrayList<>();
        try (PreparedStatement ps = c.getConnection().prepareStatement(
                "SELECT id, sha256, media_type, size, at, by_name FROM case_attachments WHERE incident_id = ? ORDER BY id")) {
            ps.setLong(1, incident);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Attachment(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6)));
                }
            }
        }
        return out;
    }

    public Optional<byte[]> content(Handle c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT content FROM attachment_blobs WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static ObjectNode base(Incident incident, StaffSession who) {
        return Json.object().put("incident", incident.id()).put("report", incident.reportId()).put("by", who.name())
                .put("role", who.role().wire());
    }
}
