package haven.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import haven.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The printable record of a completed suspected-illegal-content review, with a signature line for each
 * reviewer: "the completed form retained for evidence" (docs/CASEWORK.md). It holds what the reviewers
 * wrote (URLs, a description of the nature, the judgement, the actions), never the content itself.
 */
public final class ReviewPdf {
    private ReviewPdf() {
    }

    public static byte[] render(Incident incident, ObjectNode review, String printedBy, Instant printedAt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document doc = new Document(PageSize.A4, 50, 50, 50, 50);
        try {
            PdfWriter.getInstance(doc, out);
            doc.addTitle("Suspected illegal content review " + incident.caseNumber());
            doc.open();
            Font title = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 16);
            Font heading = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 12);
            Font body = FontFactory.getFont(FontFactory.HELVETICA, 10);
            doc.add(new Paragraph("Suspected illegal content: review record", title));
            doc.add(new Paragraph("Case " + incident.caseNumber() + " (incident " + incident.id() + "), opened " + Incident.wire(incident.openedAt())
                    + ", room " + incident.room() + ", source " + incident.source().wire(), body));
            doc.add(new Paragraph("Suspected: " + (incident.illegal() == null ? null : incident.illegal().stored()) + ". Group judgement: " + review.path("judgement").asText()
                    + ". Reviewers: " + String.join(", ", names(review)) + ".", body));
            doc.add(new Paragraph("Policy: more than one senior member of staff involved; record the URL and describe the nature"
                    + " of the content; do not forward, copy, print or save what you have found; the completed form retained"
                    + " for evidence.", body));
            for (JsonNode part : review.get("parts")) {
                doc.add(new Paragraph(" ", body));
                doc.add(new Paragraph(part.get("by").asText() + " (" + part.get("role").asText() + "), " + part.get("at").asText(), heading));
                PdfPTable table = new PdfPTable(new float[] {1.2f, 4f});
                table.setWidthPercentage(100);
                row(table, "Computer used", part.get("computer").asText(), body);
                row(table, "URL(s)", String.join("\n", strings(part.get("urls"))), body);
                row(table, "Nature", part.get("nature").asText(), body);
                row(table, "Judgement", part.get("judgement").asText(), body);
                List<String> actions = strings(part.get("actions"));
                row(table, "Actions", actions.isEmpty() ? "none" : String.join(", ", actions), body);
                doc.add(table);
            }
            doc.add(new Paragraph(" ", body));
            doc.add(new Paragraph("Signatures", heading));
            for (String name : names(review)) {
                doc.add(new Paragraph(" ", body));
                doc.add(new Paragraph("Signed: ________________________   Name: " + name + "   Date: ______________", body));
            }
            doc.add(new Paragraph(" ", body));
            doc.add(new Paragraph("Printed by " + printedBy + " at " + Json.time(printedAt) + " from Haven.", body));
        } catch (DocumentException e) {
            throw new IllegalStateException("review PDF could not be written: " + e.getMessage(), e);
        } finally {
            if (doc.isOpen()) {
                doc.close();
            }
        }
        return out.toByteArray();
    }

    private static void row(PdfPTable table, String label, String value, Font font) {
        table.addCell(new Paragraph(label, font));
        table.addCell(new Paragraph(value, font));
    }

    private static List<String> names(ObjectNode review) {
        return strings(review.get("reviewers"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
