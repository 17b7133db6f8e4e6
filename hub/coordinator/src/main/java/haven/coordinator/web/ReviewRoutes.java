package haven.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.CaseEvidence;
import haven.coordinator.Changes;
import haven.coordinator.IllegalContent;
import haven.coordinator.Incident;
import haven.coordinator.Incidents;
import haven.coordinator.Permission;
import haven.coordinator.ReviewAction;
import haven.coordinator.ReviewJudgement;
import haven.coordinator.ReviewPdf;
import haven.coordinator.StaffSession;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The suspected-illegal-content review and the case's attachments (docs/CASEWORK.md). Seeds: "more than one
 * senior member of staff involved"; "record the URL ... describe the nature of the content"; screenshots
 * "except in the case of images of child sexual abuse"; the group "judges whether the concern has
 * substance"; "the completed form retained for evidence". Each reviewer records their own part from
 * their own session; the review is complete with two different named reviewers.
 */
public final class ReviewRoutes {
    private ReviewRoutes() {
    }

    public static void mount(JavalinConfig config, Database db, Incidents incidents, CaseEvidence evidence, AuditLog audit,
                             Changes feed, java.time.Clock clock) {
        config.routes.post("/api/incidents/{id}/illegal", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            IllegalContent illegal = IllegalRequest.from(CaseRoutes.body(ctx)).illegal();
            Optional<Incident> found = CaseRoutes.visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Incident changed = db.transaction(c -> {
                Incident i = evidence.setIllegal(c, found.get(), illegal, who);
                audit.record(c, who.name(), "case-illegal", "incident=" + i.id() + " illegal=" + illegal.stored());
                return i;
            });
            feed.incidentChanged(changed);
            Web.json(ctx, changed.view());
        }, RouteAccess.of(Permission.REVIEW_ILLEGAL));
        config.routes.get("/api/incidents/{id}/review", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Optional<Incident> found = CaseRoutes.visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            Web.json(ctx, db.transaction(c -> {
                audit.record(c, who.name(), "view-review", "incident=" + found.get().id());
                return evidence.reviewOf(c, found.get());
            }));
        }, RouteAccess.of(Permission.VIEW_INCIDENTS));
        config.routes.post("/api/incidents/{id}/review", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            CaseEvidence.Part part = PartRequest.from(CaseRoutes.body(ctx)).part();
            Optional<Incident> found = CaseRoutes.visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            if (found.get().illegal() == null || found.get().illegal() == IllegalContent.NONE) {
                ctx.status(409).result("this incident is not marked as suspected illegal content (POST /api/incidents/{id}/illegal first)");
                return;
            }
            CaseEvidence.Review review = db.transaction(c -> {
                CaseEvidence.Review r = evidence.recordPart(c, found.get(), part, who);
                audit.record(c, who.name(), "case-review", "incident=" + found.get().id());
                return r;
            });
            ctx.status(201);
            Web.json(ctx, review);
        }, RouteAccess.of(Permission.REVIEW_ILLEGAL));
        config.routes.get("/api/incidents/{id}/review.pdf", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Optional<Incident> found = CaseRoutes.visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            ObjectNode review = db.query(c -> evidence.review(c, found.get()));
            if (!review.get("complete").asBoolean()) {
                ctx.status(409).result("the review is not complete: it needs " + review.get("stillNeeded").asInt()
                        + " more senior reviewer(s)");
                return;
            }
            audit.record(who.name(), "review-pdf", "incident=" + found.get().id());
            ctx.header("Content-Disposition", "attachment; filename=\"review-" + found.get().caseNumber() + ".pdf\"");
            ctx.contentType("application/pdf").result(ReviewPdf.render(found.get(), review, who.name(), clock.instant()));
        }, RouteAccess.of(Permission.REVIEW_ILLEGAL));
        config.routes.post("/api/incidents/{id}/attachments", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Optional<Incident> found = CaseRoutes.visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            // Checked before a byte is read or kept, whichever way the request came (dashboard or a direct call).
            if (found.get().illegal() == IllegalContent.SUSPECTED_CSAM) {
                audit.record(who.name(), "attachment-refused", "incident=" + found.get().id() + " suspected-csam");
                ctx.status(409).result(CaseEvidence.CSAM_REFUSAL);
                return;
            }
            UploadedFile file = ctx.uploadedFile("file");
            if (file == null) {
                ctx.status(400).result("file: send the attachment as multipart/form-data in the field 'file'");
                return;
            }
            byte[] bytes;
            try (InputStream in = file.content()) {
                bytes = in.readNBytes((int) CaseEvidence.MAX_ATTACHMENT_BYTES + 1);
            } catch (IOException e) {
                throw new IllegalArgumentException("file: could not be read");
            }
            if (bytes.length > CaseEvidence.MAX_ATTACHMENT_BYTES) {
                ctx.status(413).result("file: at most " + CaseEvidence.MAX_ATTACHMENT_BYTES + " bytes");
                return;
            }
            Optional<String> type = CaseEvidence.mediaType(bytes);
            if (type.isEmpty()) {
                ctx.status(415).result("file: only PNG, JPEG or PDF (recognised by their first bytes)");
                return;
            }
            CaseEvidence.Attachment attached = db.transaction(c -> {
                // Read again inside the transaction: the nature may have changed to suspected-csam since the check above.
                Incident now = incidents.find(c, found.get().id()).orElseThrow();
                if (now.illegal() == IllegalContent.SUSPECTED_CSAM) {
                    return null;
                }
                CaseEvidence.Attachment a = evidence.attach(c, now, bytes, type.get(), who);
                audit.record(c, who.name(), "attachment", "incident=" + now.id() + " sha256=" + a.sha256());
                return a;
            });
            if (attached == null) {
                audit.record(who.name(), "attachment-refused", "incident=" + found.get().id() + " suspected-csam");
                ctx.status(409).result(CaseEvidence.CSAM_REFUSAL);
                return;
            }
            ctx.status(201);
            Web.json(ctx, attached);
        }, RouteAccess.of(Permission.WORK_CASE));
        config.routes.get("/api/incidents/{id}/attachments/{sha256}", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            Optional<Incident> found = CaseRoutes.visible(ctx, db, incidents, who);
            if (found.isEmpty()) {
                return;
            }
            String hash = ctx.pathParam("sha256");
            Optional<CaseEvidence.Attachment> attachment = db.query(c -> evidence.attachments(c, found.get().id())).stream()
                    .filter(a -> a.sha256().equals(hash)).findFirst();
            if (attachment.isEmpty()) {
                ctx.status(404).result("no such attachment on this incident");
                return;
            }
            byte[] content = db.transaction(c -> {
                audit.record(c, who.name(), "view-attachment", "incident=" + found.get().id() + " sha256=" + hash);
                return evidence.content(c, hash).orElseThrow();
            });
            ctx.contentType(attachment.get().mediaType()).result(content);
        }, RouteAccess.of(Permission.VIEW_INCIDENTS));
    }

    /** POST /api/incidents/{id}/illegal: whether illegal content is suspected ({@link IllegalContent}). */
    record IllegalRequest(IllegalContent illegal) {
        static IllegalRequest from(JsonNode body) {
            return new IllegalRequest(IllegalContent.fromStored(body.path("illegal").asText(""))
                    .orElseThrow(() -> new IllegalArgumentException("illegal must be one of " + IllegalContent.words())));
        }
    }

    /**
     * POST /api/incidents/{id}/review: one reviewer's part. Policy: "record the URL ... describe the nature of
     * the content", never the content itself, so at least one http(s) URL and a description are required.
     */
    record PartRequest(String computer, List<String> urls, String nature, ReviewJudgement judgement, List<ReviewAction> actions) {
        static PartRequest from(JsonNode body) {
            String computer = CaseRoutes.required(body, "computer", 200);
            List<String> urls = new ArrayList<>();
            for (JsonNode u : body.path("urls")) {
                String url = u.asText("").strip();
                if (!url.matches("(?i)https?://\\S+") || url.length() > 2048) {
                    throw new IllegalArgumentException("urls: each must be an http:// or https:// address");
                }
                urls.add(url);
            }
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("urls: record the URL(s) of the content (never the content itself)");
            }
            String nature = CaseRoutes.required(body, "nature", 2000);
            ReviewJudgement judgement = ReviewJudgement.fromStored(body.path("judgement").asText(""))
                    .orElseThrow(() -> new IllegalArgumentException("judgement must be one of " + ReviewJudgement.words()));
            List<ReviewAction> actions = new ArrayList<>();
            for (JsonNode a : body.path("actions")) {
                actions.add(ReviewAction.fromStored(a.asText())
                        .orElseThrow(() -> new IllegalArgumentException("actions: each must be one of " + ReviewAction.words())));
            }
            return new PartRequest(computer, List.copyOf(urls), nature, judgement, List.copyOf(actions));
        }

        CaseEvidence.Part part() {
            return new CaseEvidence.Part(computer, urls, nature, judgement, actions);
        }
    }
}
