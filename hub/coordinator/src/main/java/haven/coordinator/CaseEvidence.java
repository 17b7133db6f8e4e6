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
    /** Two different named senior members of staff make a review complete. */
    public static final int REVIEWERS_NEEDED = 2;
    public static final long MAX_ATTACHMENT_BYTES = 2L * 1024 * 1024;
    /** Why an attachment is refused while child sexual abuse imagery is suspected: the seeds' own words. */
    public static final String CSAM_REFUSAL = "refused: screenshots are kept \"except in the case of images of child sexual abuse\"."
            + " Do not forward, copy, print or save what you have found: record the URL and describe the nature of the content,"
            + " and report it (police, CEOP).";
    /** What the review says when its reviewers judged differently. */
    static final String DISAGREED = "disagreed";

    private static final String RECORD_PART = """
            INSERT INTO case_review_parts(incident_id, at, by_name, role, computer, urls, nature, judgement, actions)
            VALUES (:incident, :at, :by, :role, :computer, :urls, :nature, :judgement, :actions)""";
    private static final String PARTS = """
            SELECT id, at, by_name, role, computer, urls, nature, judgement, actions
            FROM case_review_parts WHERE incident_id = :incident ORDER BY id""";
    private static final String STORE_BLOB =
            "INSERT INTO attachment_blobs(sha256, content) VALUES (:sha256, :content) ON CONFLICT(sha256) DO NOTHING";
    private static final String ATTACH = """
            INSERT INTO case_attachments(incident_id, sha256, media_type, size, at, by_name)
            VALUES (:incident, :sha256, :mediaType, :size, :at, :by) RETURNING id""";
    private static final String ATTACHMENTS = """
            SELECT id, sha256, media_type, size, at, by_name FROM case_attachments WHERE incident_id = :incident ORDER BY id""";
    private static final String CONTENT = "SELECT content FROM attachment_blobs WHERE sha256 = :sha256";

    private final Incidents incidents;
    private final StaffDecisions decisions;
    private final Clock clock;

    public CaseEvidence(Incidents incidents, Clock clock) {
        this.incidents = incidents;
        this.clock = clock;
        this.decisions = new StaffDecisions(clock);
    }

    /** One reviewer's part, from their own session. */
    public record Part(String computer, List<String> urls, String nature, ReviewJudgement judgement, List<ReviewAction> actions) {
    }

    /** Changes whether illegal content is suspected (it can become known mid-case); chained. */
    public Incident setIllegal(Handle c, Incident incident, IllegalContent illegal, StaffSession who) throws SQLException {
        incidents.setIllegal(c, incident.id(), illegal);
        decisions.record(c, StaffDecisions.ILLEGAL_CHANGED, incident.room(), base(incident, who)
                .put("from", incident.illegal() == null ? null : incident.illegal().stored()).put("illegal", illegal.stored()));
        return incidents.find(c, incident.id()).orElseThrow();
    }

    public Review recordPart(Handle c, Incident incident, Part part, StaffSession who) throws SQLException {
        Instant at = clock.instant();
        ArrayNode urls = Json.array();
        part.urls().forEach(urls::add);
        ArrayNode actions = Json.array();
        part.actions().forEach(a -> actions.add(a.stored()));
        c.createUpdate(RECORD_PART)
                .bind("incident", incident.id())
                .bind("at", at)
                .bind("by", who.name())
                .bind("role", who.role().wire())
                .bind("computer", part.computer())
                .bind("urls", Json.write(urls))
                .bind("nature", part.nature())
                .bind("judgement", part.judgement())
                .bind("actions", Json.write(actions))
                .execute();
        ObjectNode data = base(incident, who).put("computer", part.computer()).put("nature", part.nature())
                .put("judgement", part.judgement().stored());
        data.set("urls", urls);
        data.set("actions", actions);
        decisions.record(c, StaffDecisions.REVIEW_RECORDED, incident.room(), at, data);
        return reviewOf(c, incident);
    }

    /** One reviewer's recorded part, as the review reads it. */
    public record ReviewPart(long id, String at, String by, String role, String computer, List<String> urls, String nature,
                             String judgement, List<String> actions) {
    }

    /**
     * The review as it stands: every part, the distinct reviewers, whether it is complete, how many more reviewers it
     * needs and what the group judged (null before any part, {@code disagreed} when the parts differ).
     */
    public record Review(long incident, String caseNumber, String illegal, List<ReviewPart> parts, List<String> reviewers,
                         boolean complete, int stillNeeded, String judgement) {
    }

    /** The review as it stands ({@link Review}). */
    public Review reviewOf(Handle c, Incident incident) throws SQLException {
        Set<String> reviewers = new LinkedHashSet<>();
        Set<ReviewJudgement> judgements = new LinkedHashSet<>();
        List<ReviewPart> parts = c.createQuery(PARTS)
                .bind("incident", incident.id())
                .map((rs, ctx) -> {
                    ReviewJudgement judgement = ctx.findColumnMapperFor(ReviewJudgement.class).orElseThrow().map(rs, "judgement", ctx);
                    reviewers.add(rs.getString("by_name"));
                    judgements.add(judgement);
                    return new ReviewPart(rs.getLong("id"), rs.getString("at"), rs.getString("by_name"), rs.getString("role"),
                            rs.getString("computer"), strings(Json.parse(rs.getString("urls").getBytes(StandardCharsets.UTF_8))),
                            rs.getString("nature"), judgement.stored(),
                            strings(Json.parse(rs.getString("actions").getBytes(StandardCharsets.UTF_8))));
                })
                .list();
        return new Review(incident.id(), incident.caseNumber(), incident.illegal() == null ? null : incident.illegal().stored(), parts,
                List.copyOf(reviewers), reviewers.size() >= REVIEWERS_NEEDED, Math.max(0, REVIEWERS_NEEDED - reviewers.size()),
                judgements.isEmpty() ? null : judgements.size() == 1 ? judgements.iterator().next().stored() : DISAGREED);
    }

    /** {@link #reviewOf} as a tree: what the case bundle and the review's PDF read. */
    public ObjectNode review(Handle c, Incident incident) throws SQLException {
        return Json.MAPPER.valueToTree(reviewOf(c, incident));
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
        c.createUpdate(STORE_BLOB).bind("sha256", hash).bind("content", bytes).execute();
        long id = c.createQuery(ATTACH)
                .bind("incident", incident.id())
                .bind("sha256", hash)
                .bind("mediaType", mediaType)
                .bind("size", (long) bytes.length)
                .bind("at", at)
                .bind("by", who.name())
                .mapTo(Long.class)
                .one();
        decisions.record(c, StaffDecisions.ATTACHMENT_ADDED, incident.room(), at, base(incident, who).put("attachment", id)
                .put("sha256", hash).put("mediaType", mediaType).put("size", bytes.length));
        return new Attachment(id, hash, mediaType, bytes.length, Json.time(at), who.name());
    }

    public List<Attachment> attachments(Handle c, long incident) throws SQLException {
        return c.createQuery(ATTACHMENTS)
                .bind("incident", incident)
                .map((rs, ctx) -> new Attachment(rs.getLong("id"), rs.getString("sha256"), rs.getString("media_type"), rs.getLong("size"),
                        rs.getString("at"), rs.getString("by_name")))
                .list();
    }

    public Optional<byte[]> content(Handle c, String sha256) throws SQLException {
        return c.createQuery(CONTENT).bind("sha256", sha256).map((rs, ctx) -> rs.getBytes("content")).findOne();
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
