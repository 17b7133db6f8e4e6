package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import haven.cli.HavenCli;
import haven.config.ConfigFile;
import haven.coordinator.evidence.EvidenceCheck;
import haven.coordinator.notify.Notifier;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import haven.testkit.TestDatabases;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Data-breach records (docs/DATA-PROTECTION.md), on SQLite and PostgreSQL against a running coordinator: who may
 * record one, the fields a decision needs, every step in the chain, the tables rebuilt from the log alone, and the
 * data-breach alert over real SMTP (GreenMail) at recording and again under 24 hours before the 72-hour deadline,
 * stopped by the decision. Time is a {@link MutableClock}: nothing here waits for hours to pass.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class BreachRecordsTest {
    @Parameter
    Dialect dialect;

    private static final String PASSWORD = "correct-horse-battery";
    private static final String DSL = "dsl@test-school.invalid";
    private static final String HEAD = "head@test-school.invalid";
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Free text of the breach that must never reach an alert. */
    private static final String WHAT = "Year 6 attendance spreadsheet e-mailed to the wrong parent";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private GreenMail mail;
    private EmbeddedBroker broker;
    private TestDatabases databases;
    private TestDatabases.TestDatabase store;
    private Coordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        int smtp = Ports.free();
        mail = new GreenMail(new ServerSetup(smtp, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        databases = new TestDatabases(dialect, dir);
        store = databases.create("coordinator");
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "breach-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        store.configure(c);
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "https://haven.test-school.invalid/");
        n.putObject("smtp").put("host", "127.0.0.1").put("port", smtp).put("security", "none")
                .put("from", "haven@test-school.invalid").put("timeoutSeconds", 5);
        var contacts = n.putArray("contacts");
        contacts.addObject().put("staff", "dsl").put("email", DSL);
        contacts.addObject().put("staff", "head").put("email", HEAD);
        contacts.addObject().put("staff", "teacher").put("email", "teacher@test-school.invalid");
        ObjectNode ladders = n.putObject("ladders");
        ladders.putArray("worry").addObject().putArray("contacts").add("dsl");
        var breach = ladders.putArray("data-breach");
        // The teacher on the ladder is left out: a teacher may not see breach records (view-breaches).
        breach.addObject().putArray("contacts").add("dsl").add("teacher");
        breach.addObject().put("after", "30m").putArray("contacts").add("head");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("head", Role.HEAD, PASSWORD.toCharArray());
        coordinator.staff().put("slt", Role.SENIOR, PASSWORD.toCharArray());
        coordinator.staff().put("teacher", Role.TEACHER, PASSWORD.toCharArray());
    }

    @AfterEach
    void stop() throws Exception {
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (mail != null) {
            mail.stop();
        }
        databases.close();
    }

    private StaffClient as(String name) throws Exception {
        StaffClient client = new StaffClient(coordinator.httpPort());
        assertEquals(200, client.login(name, PASSWORD));
        return client;
    }

    private static JsonNode json(HttpResponse<String> answer) {
        return Json.parse(answer.body().getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode suspected(Duration discoveredAgo) {
        return Json.object().put("discoveredAt", Json.time(clock.instant().minus(discoveredAgo))).put("whatHappened", WHAT)
                .put("dataAffected", "names, attendance marks").put("peopleAffected", "about 30 pupils")
                .put("containment", "the parent was asked to delete it and confirmed by phone");
    }

    private long recorded(StaffClient who, ObjectNode body) throws Exception {
        HttpResponse<String> answer = who.post("/api/breaches", Json.write(body));
        assertEquals(201, answer.statusCode(), answer.body());
        return json(answer).get("id").asLong();
    }

    private List<String> types() throws Exception {
        try (Connection c = store.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type FROM events WHERE type LIKE 'coordinator.breach-%' ORDER BY pos")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    /** The breach tables as text, matched by ref (row ids are the database's own numbers). */
    private String tables() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = store.connect()) {
            for (String sql : List.of("SELECT * FROM breaches ORDER BY ref",
                    "SELECT b.ref, n.at, n.by_name, n.text FROM breach_notes n JOIN breaches b ON b.id = n.breach_id ORDER BY b.ref, n.id")) {
                try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            if (!meta.getColumnLabel(i).equalsIgnoreCase("id")) {
                                out.append(meta.getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
                            }
                        }
                        out.append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    private record Outcome(int exit, String output) {
    }

    private Outcome verifyLog() throws Exception {
        List<String> args = new ArrayList<>(List.of("verify-log"));
        args.addAll(store.verifyLogArgs());
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return new Outcome(HavenCli.run(args.toArray(String[]::new)), captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(before);
        }
    }

    @Test
    void aBreachIsRecordedNotedAndDecidedEveryStepChainedAndRebuiltTheSameFromTheLog() throws Exception {
        try (StaffClient dsl = as("dsl"); StaffClient head = as("head"); StaffClient teacher = as("teacher"); StaffClient slt = as("slt")) {
            assertEquals(403, teacher.post("/api/breaches", Json.write(suspected(Duration.ofHours(2)))).statusCode());
            assertEquals(403, teacher.get("/api/breaches").statusCode());
            assertEquals(403, slt.post("/api/breaches", Json.write(suspected(Duration.ofHours(2)))).statusCode(), "senior staff neither");

            HttpResponse<String> noData = dsl.post("/api/breaches", Json.write(suspected(Duration.ofHours(2)).put("dataAffected", " ")));
            assertEquals(400, noData.statusCode());
            assertEquals("dataAffected is required", noData.body());
            HttpResponse<String> tooLong = dsl.post("/api/breaches", Json.write(suspected(Duration.ofHours(2))
                    .put("whatHappened", "x".repeat(2001))));
            assertEquals(400, tooLong.statusCode());
            assertEquals("whatHappened must be at most 2000 characters", tooLong.body(), "the field named, the value never echoed");
            assertEquals(400, dsl.post("/api/breaches", Json.write(suspected(Duration.ofHours(-1)))).statusCode(), "not discovered in the future");

            long first = recorded(dsl, suspected(Duration.ofHours(2)));
            JsonNode listed = json(dsl.get("/api/breaches")).get("breaches").get(0);
            assertEquals(70 * 3600, listed.get("secondsLeft").asLong(), "the 72 hours run from discovery, not from recording");
            assertEquals(Json.time(clock.instant().plus(Duration.ofHours(70))), listed.get("deadline").asText());
            assertFalse(listed.get("overdue").asBoolean());

            HttpResponse<String> note = head.post("/api/breaches/" + first + "/notes", "{\"text\":\"DPO consulted by phone\"}");
            assertEquals(201, note.statusCode(), note.body());
            assertEquals(403, teacher.post("/api/breaches/" + first + "/notes", "{\"text\":\"x\"}").statusCode());

            HttpResponse<String> noReason = dsl.post("/api/breaches/" + first + "/decision",
                    "{\"decision\":\"not-reported\",\"peopleTold\":true}");
            assertEquals(400, noReason.statusCode());
            assertEquals("reason is required", noReason.body());
            assertEquals(400, dsl.post("/api/breaches/" + first + "/decision", "{\"decision\":\"not-reported\",\"reason\":\"r\"}")
                    .statusCode(), "whether the people affected were told is part of the decision");
            assertEquals(403, teacher.post("/api/breaches/" + first + "/decision",
                    "{\"decision\":\"not-reported\",\"reason\":\"r\",\"peopleTold\":false}").statusCode());
            HttpResponse<String> decided = dsl.post("/api/breaches/" + first + "/decision", Json.write(Json.object()
                    .put("decision", "not-reported").put("reason", "deleted unread within the hour; unlikely to result in a risk")
                    .put("peopleTold", true)));
            assertEquals(200, decided.statusCode(), decided.body());
            assertEquals("not-reported", json(decided).get("decision").asText());
            assertEquals("dsl", json(decided).get("decidedBy").asText());
            assertEquals(409, head.post("/api/breaches/" + first + "/decision", Json.write(Json.object().put("decision", "reported")
                    .put("icoReference", "ICO-1").put("reportedAt", Json.time(clock.instant())).put("peopleTold", true))).statusCode(),
                    "the first decision stands");

            long second = recorded(head, suspected(Duration.ofHours(30)));
            HttpResponse<String> noReference = head.post("/api/breaches/" + second + "/decision", Json.write(Json.object()
                    .put("decision", "reported").put("reportedAt", Json.time(clock.instant())).put("peopleTold", false)));
            assertEquals(400, noReference.statusCode());
            assertEquals("icoReference is required", noReference.body());
            HttpResponse<String> reported = head.post("/api/breaches/" + second + "/decision", Json.write(Json.object()
                    .put("decision", "reported").put("icoReference", "IC-123456-A1B2").put("reportedAt", Json.time(clock.instant()))
                    .put("peopleTold", false)));
            assertEquals(200, reported.statusCode(), reported.body());

            JsonNode one = json(dsl.get("/api/breaches/" + first));
            assertEquals("DPO consulted by phone", one.get("notes").get(0).get("text").asText());
            assertEquals(404, dsl.get("/api/breaches/999").statusCode());
        }
        assertEquals(List.of("coordinator.breach-recorded", "coordinator.breach-note-added", "coordinator.breach-decided",
                "coordinator.breach-recorded", "coordinator.breach-decided"), types(), "every step is in the chain, refusals are not");
        try (Connection c = store.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT action FROM audit WHERE action LIKE '%breach%' ORDER BY at, action")) {
            List<String> audited = new ArrayList<>();
            while (rs.next()) {
                audited.add(rs.getString(1));
            }
            assertTrue(audited.containsAll(List.of("record-breach", "breach-note", "breach-decision", "view-breaches", "view-breach")),
                    audited.toString());
        }
        Outcome intact = verifyLog();
        assertEquals(0, intact.exit(), intact.output());

        // The tables wiped and rebuilt from the log alone give the same rows (what `haven rebuild-projections` runs).
        String made = tables();
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM breach_notes");
            st.executeUpdate("DELETE FROM breaches");
        }
        Outcome wiped = verifyLog();
        assertEquals(1, wiped.exit(), wiped.output());
        assertTrue(wiped.output().contains("in table breaches "), wiped.output());
        try (Database db = store.open()) {
            int changed = db.transaction(c -> Projections.rebuilt(c, rebuilt -> Projections.writeBack(c, rebuilt)));
            assertEquals(2, changed);
        }
        assertEquals(made, tables(), "every breach row and note as the running coordinator made it");
        Outcome rebuilt = verifyLog();
        assertEquals(0, rebuilt.exit(), rebuilt.output());

        // A decision rewritten in the table is not what the log says.
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE breaches SET decision = 'reported', ico_reference = 'IC-000000' WHERE decision = 'not-reported'");
        }
        Outcome rewritten = verifyLog();
        assertEquals(1, rewritten.exit(), rewritten.output());
        assertTrue(rewritten.output().contains("in table breaches "), rewritten.output());
    }

    // ---- the alert -----------------------------------------------------------------------------------------

    /** Accepted data-breach alert sends recorded in the evidence log, as "contact:ladder" (recorded, or deadline with its due). */
    private List<String> accepted() throws Exception {
        return coordinator.database().query(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT payload FROM events WHERE type = 'notify.attempt' ORDER BY pos");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonNode data = Json.parse(rs.getString(1).getBytes(StandardCharsets.UTF_8)).path("data");
                    if ("accepted".equals(data.path("outcome").asText()) && "data-breach".equals(data.path("alert").asText())) {
                        out.add(data.path("contact").asText() + ":" + (data.has("due") ? "deadline" : "recorded"));
                    }
                }
            }
            return out;
        });
    }

    private void awaitAccepted(List<String> expected) {
        await().atMost(BOUND).until(() -> accepted().equals(expected));
        await().atMost(BOUND).until(() -> mail.getReceivedMessages().length == expected.size());
    }

    private void waitTwoPasses() {
        Notifier notifier = coordinator.notifier().orElseThrow();
        long target = notifier.passes() + 2;
        await().atMost(BOUND).until(() -> notifier.passes() >= target);
    }

    private String lastMail() {
        MimeMessage[] all = mail.getReceivedMessages();
        return GreenMailUtil.getWholeMessage(all[all.length - 1]);
    }

    /** Every mail so far, whole (GreenMail's order is not the order of sending). */
    private List<String> mails() {
        return java.util.Arrays.stream(mail.getReceivedMessages()).map(GreenMailUtil::getWholeMessage).toList();
    }

    @Test
    void theAlertComesAtRecordingAgainUnder24HoursBeforeTheDeadlineAndTheDecisionStopsIt() throws Exception {
        try (StaffClient dsl = as("dsl")) {
            long id = recorded(dsl, suspected(Duration.ofHours(40)));
            awaitAccepted(List.of("dsl:recorded"));
            assertEquals("Haven: Suspected data breach (72-hour clock)", mail.getReceivedMessages()[0].getSubject());
            assertTrue(lastMail().contains("32 hours left of the 72 to decide whether to report it to the ICO"), lastMail());
            assertEquals(0, coordinator.breachDeadlines().runOnce(), "32 hours left: not yet");

            clock.advance(Duration.ofMinutes(30)); // the recorded ladder's second step
            awaitAccepted(List.of("dsl:recorded", "head:recorded"));
            assertTrue(mails().stream().anyMatch(m -> m.contains("To: " + HEAD)), mails().toString());

            clock.advance(Duration.ofHours(7).plusMinutes(31)); // 23 h 59 min left
            coordinator.breachDeadlines().runOnce(); // the scan's own thread may have flagged it first: once either way
            assertEquals(0, coordinator.breachDeadlines().runOnce(), "flagged once");
            assertEquals(1, types().stream().filter("coordinator.breach-deadline-near"::equals).count());
            awaitAccepted(List.of("dsl:recorded", "head:recorded", "dsl:deadline"));
            assertTrue(mails().stream().anyMatch(m -> m.contains("To: " + DSL) && m.contains("23 hours left")), mails().toString());
            JsonNode listed = json(dsl.get("/api/breaches/" + id));
            assertEquals(Json.time(clock.instant()), listed.get("deadlineWarnedAt").asText());

            HttpResponse<String> decided = dsl.post("/api/breaches/" + id + "/decision", Json.write(Json.object()
                    .put("decision", "reported").put("icoReference", "IC-654321").put("reportedAt", Json.time(clock.instant()))
                    .put("peopleTold", true)));
            assertEquals(200, decided.statusCode(), decided.body());
        }
        // The deadline ladder's second step (the head, 30 minutes on) never comes: the decision resolved it.
        List<String> before = accepted();
        clock.advance(Duration.ofHours(1));
        waitTwoPasses();
        waitTwoPasses();
        assertEquals(0, coordinator.breachDeadlines().runOnce(), "a decided breach is not flagged");
        assertEquals(before, accepted(), "nothing more once decided");
        for (MimeMessage m : mail.getReceivedMessages()) {
            String text = GreenMailUtil.getWholeMessage(m);
            assertFalse(text.contains("attendance") || text.contains("30 pupils") || text.contains("parent"), "no breach detail: " + text);
            assertFalse(m.getRecipients(Message.RecipientType.TO)[0].toString().startsWith("teacher"), "never to a teacher");
        }
        try (Connection c = store.connect()) {
            EvidenceCheck.Result result = EvidenceCheck.run(haven.store.SqlTypes.borrow(c));
            assertTrue(result.intact(), () -> result.finding().orElseThrow().toString());
        }
    }

    @Test
    void aRetentionPurgeThatCutsTheBreachRecordsFromTheLogKeepsThemAndTheirRebuild() throws Exception {
        try (StaffClient dsl = as("dsl")) {
            long id = recorded(dsl, suspected(Duration.ofHours(3)));
            assertEquals(201, dsl.post("/api/breaches/" + id + "/notes", "{\"text\":\"DPO consulted\"}").statusCode());
            assertEquals(200, dsl.post("/api/breaches/" + id + "/decision", Json.write(Json.object().put("decision", "not-reported")
                    .put("reason", "no likely risk").put("peopleTold", false))).statusCode());
        }
        String made = tables();
        clock.advance(Duration.ofDays(400));
        Retention.Purge purge = new Retention(coordinator.database(), new haven.coordinator.evidence.AuditLog(coordinator.database(), clock),
                clock, Duration.ofDays(365)).purgeOnce();
        assertTrue(purge.events() > 0, "the breach's records were cut from the start of the log");
        assertEquals(List.of(), types(), "none of them is left in the log");
        assertEquals(made, tables(), "a purge never deletes a breach record");
        Outcome after = verifyLog();
        // Every row went (nothing newer kept any): the purge's record chains on from its checkpoint, not from genesis.
        assertEquals(0, after.exit(), after.output());
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM breach_notes");
            st.executeUpdate("DELETE FROM breaches");
        }
        try (Database db = store.open()) {
            db.transaction(c -> Projections.rebuilt(c, rebuilt -> Projections.writeBack(c, rebuilt)));
        }
        assertEquals(made, tables(), "rebuilt from what the purge's record carries");
        Outcome rebuilt = verifyLog();
        assertEquals(0, rebuilt.exit(), rebuilt.output());
    }

    @Test
    void theDashboardShowsOverdueOnceThe72HoursHavePassedUndecided() throws Exception {
        try (StaffClient head = as("head")) {
            long late = recorded(head, suspected(Duration.ofHours(80)));
            long fresh = recorded(head, suspected(Duration.ofMinutes(5)));
            JsonNode list = json(head.get("/api/breaches")).get("breaches");
            assertEquals(late, list.get(0).get("id").asLong(), "the soonest deadline first");
            assertTrue(list.get(0).get("overdue").asBoolean());
            assertEquals(-8 * 3600, list.get(0).get("secondsLeft").asLong());
            assertEquals(fresh, list.get(1).get("id").asLong());
            assertFalse(list.get(1).get("overdue").asBoolean());
        }
    }
}
