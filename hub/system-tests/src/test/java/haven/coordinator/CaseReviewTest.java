package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.cli.HavenCli;
import haven.coordinator.evidence.EvidenceCheck;
import haven.protocol.Json;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.StaffClient;
import haven.testkit.TestCoordinator;
import haven.testkit.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The suspected-illegal-content review, attachments and the case bundle (docs/CASEWORK.md), on SQLite and
 * PostgreSQL: two different senior reviewers from their own sessions, attachments refused while child
 * sexual abuse imagery is suspected (also after the nature changes mid-case), the printable PDF, and a
 * bundle that `haven verify-bundle` accepts untouched and refuses, naming the entry, when changed.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class CaseReviewTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = TestCoordinator.PASSWORD;
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private TestCoordinator running;
    private TestDatabases.TestDatabase store;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        running = TestCoordinator.start(dialect, dir, clock, "review-test");
        running
                .staff("dsl", Role.COORDINATOR)
                .staff("slt", Role.SENIOR)
                .staff("teacher", Role.TEACHER);
        coordinator = running.coordinator();
        store = running.store();
    }

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private StaffClient as(String name) throws Exception {
        return running.as(name);
    }

    private static long concern(StaffClient who, String illegal) throws Exception {
        HttpResponse<String> answer = who.post("/api/concerns", Json.write(Json.object().put("room", "outside-school")
                .put("category", "saw-something-upsetting").put("summary", "a link shared in a group chat").put("about", "pupil")
                .put("illegal", illegal)));
        assertEquals(201, answer.statusCode(), answer.body());
        return Json.parse(answer.body().getBytes()).get("id").asLong();
    }

    private static String part(String judgement) {
        ObjectNode p = Json.object().put("computer", "dsl-office-laptop").put("nature", "an indecent image of an adult, described not kept")
                .put("judgement", judgement);
        p.putArray("urls").add("https://example.invalid/shared");
        p.putArray("actions").add("internal-discipline").add("police");
        return Json.write(p);
    }

    private static JsonNode json(HttpResponse<String> answer) {
        return Json.parse(answer.body().getBytes());
    }

    @Test
    void twoDifferentSeniorReviewersCompleteTheReviewAndItPrints() throws Exception {
        try (StaffClient dsl = as("dsl"); StaffClient slt = as("slt"); StaffClient teacher = as("teacher")) {
            long none = concern(teacher, "none");
            assertEquals(409, dsl.post("/api/incidents/" + none + "/review", part("substance")).statusCode(),
                    "no review for an incident with nothing illegal suspected");
            long id = concern(teacher, "other-suspected-illegal");
            assertEquals(403, teacher.post("/api/incidents/" + id + "/review", part("substance")).statusCode());
            assertEquals(400, dsl.post("/api/incidents/" + id + "/review", "{\"computer\":\"x\",\"urls\":[],\"nature\":\"n\","
                    + "\"judgement\":\"substance\"}").statusCode(), "the URL is recorded");
            HttpResponse<String> first = dsl.post("/api/incidents/" + id + "/review", part("substance"));
            assertEquals(201, first.statusCode(), first.body());
            assertFalse(json(first).get("complete").asBoolean());
            assertEquals(409, dsl.getBytes("/api/incidents/" + id + "/review.pdf").statusCode(), "not complete yet");
            HttpResponse<String> again = dsl.post("/api/incidents/" + id + "/review", part("substance"));
            assertFalse(json(again).get("complete").asBoolean(), "the same person twice is one reviewer");
            HttpResponse<String> second = slt.post("/api/incidents/" + id + "/review", part("substance"));
            JsonNode review = json(second);
            assertTrue(review.get("complete").asBoolean(), review.toString());
            assertEquals("substance", review.get("judgement").asText());
            assertEquals(2, review.get("reviewers").size());
            HttpResponse<byte[]> pdf = dsl.getBytes("/api/incidents/" + id + "/review.pdf");
            assertEquals(200, pdf.statusCode());
            assertEquals("%PDF-", new String(pdf.body(), 0, 5, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void attachmentsAreRefusedWhileChildSexualAbuseImageryIsSuspectedEvenAfterTheNatureChanges() throws Exception {
        try (StaffClient dsl = as("dsl")) {
            long csam = concern(dsl, "suspected-csam");
            HttpResponse<String> refused = dsl.postFile("/api/incidents/" + csam + "/attachments", "file", "shot.png", PNG);
            assertEquals(409, refused.statusCode());
            assertTrue(refused.body().contains("except in the case of images of child sexual abuse"), refused.body());

            long id = concern(dsl, "other-suspected-illegal");
            assertEquals(415, dsl.postFile("/api/incidents/" + id + "/attachments", "file", "x.png",
                    "GIF89a-not-allowed".getBytes(StandardCharsets.US_ASCII)).statusCode(), "types by their first bytes, not the name");
            assertEquals(413, dsl.postFile("/api/incidents/" + id + "/attachments", "file", "big.pdf",
                    pdfOfSize(3 * 1024 * 1024)).statusCode());
            HttpResponse<String> kept = dsl.postFile("/api/incidents/" + id + "/attachments", "file", "screenshot.png", PNG);
            assertEquals(201, kept.statusCode(), kept.body());
            assertEquals(CaseEvidence.sha256(PNG), json(kept).get("sha256").asText());

            assertEquals(200, dsl.post("/api/incidents/" + id + "/illegal", "{\"illegal\":\"suspected-csam\"}").statusCode());
            assertEquals(409, dsl.postFile("/api/incidents/" + id + "/attachments", "file", "more.png", PNG).statusCode(),
                    "refused once the nature is changed mid-case");
        }
        try (Connection c = store.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*), min(action) FROM audit WHERE action LIKE 'attachment%'")) {
            rs.next();
            assertEquals(3, rs.getInt(1), "one kept, two refusals audited as refusals");
        }
        try (Connection c = store.connect()) {
            assertTrue(EvidenceCheck.run(haven.store.SqlTypes.borrow(c)).intact());
        }
    }

    private static byte[] pdfOfSize(int size) {
        byte[] bytes = new byte[size];
        System.arraycopy("%PDF-1.7".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 8);
        return bytes;
    }

    @Test
    void theBundleVerifiesWithNoDatabaseAndATamperedEntryIsNamed() throws Exception {
        Path bundle = dir.resolve("case.zip");
        try (StaffClient dsl = as("dsl"); StaffClient slt = as("slt")) {
            long id = concern(dsl, "other-suspected-illegal");
            dsl.post("/api/incidents/" + id + "/notes", "{\"text\":\"screenshot taken on the designated computer\"}");
            assertEquals(201, dsl.postFile("/api/incidents/" + id + "/attachments", "file", "screenshot.png", PNG).statusCode());
            dsl.post("/api/incidents/" + id + "/review", part("substance"));
            slt.post("/api/incidents/" + id + "/review", part("substance"));
            HttpResponse<byte[]> zip = dsl.getBytes("/api/incidents/" + id + "/bundle");
            assertEquals(200, zip.statusCode());
            Files.write(bundle, zip.body());
            Map<String, byte[]> entries = unzip(zip.body());
            assertTrue(entries.containsKey("review.pdf") && entries.containsKey("events.json") && entries.containsKey("manifest.json"),
                    entries.keySet().toString());
            assertTrue(entries.containsKey("attachments/" + CaseEvidence.sha256(PNG) + ".png"), entries.keySet().toString());
        }
        assertEquals(0, HavenCli.run("verify-bundle", bundle.toString()));

        Map<String, byte[]> entries = unzip(Files.readAllBytes(bundle));
        String incident = new String(entries.get("incident.json"), StandardCharsets.UTF_8);
        entries.put("incident.json", incident.replace("a link shared in a group chat", "nothing happened").getBytes(StandardCharsets.UTF_8));
        Path tampered = dir.resolve("tampered.zip");
        Files.write(tampered, zip(entries));
        assertEquals(1, HavenCli.run("verify-bundle", tampered.toString()));
        assertEquals("entry incident.json: changed (its SHA-256 is not the manifest's)",
                CaseBundle.verify(Files.readAllBytes(tampered)).broken().orElseThrow());

        // An insider who also rewrites the manifest still meets the chain: the event no longer matches its hash.
        entries = unzip(Files.readAllBytes(bundle));
        String events = new String(entries.get("events.json"), StandardCharsets.UTF_8);
        entries.put("events.json", events.replace("screenshot taken on the designated computer", "no screenshot")
                .getBytes(StandardCharsets.UTF_8));
        ObjectNode manifest = (ObjectNode) Json.parse(entries.get("manifest.json"));
        ((ObjectNode) manifest.get("entries")).put("events.json", CaseEvidence.sha256(entries.get("events.json")));
        entries.put("manifest.json", Json.write(manifest).getBytes(StandardCharsets.UTF_8));
        byte[] rewritten = zip(entries);
        String why = CaseBundle.verify(rewritten).broken().orElseThrow();
        assertTrue(why.startsWith("entry events.json: event at position "), why);
        assertTrue(why.endsWith("does not match its hash"), why);
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    private static byte[] zip(Map<String, byte[]> entries) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
