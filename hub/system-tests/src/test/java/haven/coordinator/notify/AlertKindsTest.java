package haven.coordinator.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Incident;
import haven.coordinator.IncidentSource;
import haven.coordinator.Incidents;
import haven.coordinator.Role;
import haven.coordinator.evidence.EventLog;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert kinds beyond a pupil's worry (docs/NOTIFICATIONS.md), each against a real coordinator and a real
 * SMTP server on loopback: the first step gets it at once, the next only after its delay (the clock is moved
 * by hand), and acknowledging, closing or the cause going away stops it. Every wait is on what the database or
 * the mail server holds, never on time passing: a loaded machine only makes it slower.
 */
class AlertKindsTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId YEAR5 = new RoomId("test-school", "year5-elm");
    private static final String COMPUTER = "PC-07";
    private static final String DSL = "dsl@test-school.invalid";
    private static final String HEAD = "head@test-school.invalid";
    private static final String TECH = "tech@test-school.invalid";
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private GreenMail mail;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private long seq;
    private int smtp;

    @BeforeEach
    void start() throws Exception {
        smtp = Ports.free();
        mail = new GreenMail(new ServerSetup(smtp, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "alert-kinds-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "https://haven.test-school.invalid/");
        n.putObject("smtp").put("host", "127.0.0.1").put("port", smtp).put("security", "none")
                .put("from", "haven@test-school.invalid").put("timeoutSeconds", 5);
        n.put("hubOfflineMinutes", 10);
        var contacts = n.putArray("contacts");
        contacts.addObject().put("staff", "dsl").put("email", DSL);
        contacts.addObject().put("staff", "head").put("email", HEAD);
        contacts.addObject().put("staff", "tech").put("email", TECH);
        ObjectNode ladders = n.putObject("ladders");
        ladders.putArray("worry").addObject().putArray("contacts").add("dsl");
        ladder(ladders, "isolation", "dsl", "head");
        ladder(ladders, "hub-offline", "tech", "dsl");
        ladder(ladders, "filter-check-failed", "tech", "dsl");
        ladder(ladders, "staff-concern", "dsl", "head");
        ladder(ladders, "action-overdue", "dsl", "head");
        n.putObject("roomNames").putObject("test-school").put("year5-elm", "Year 5 (Elm)");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        coordinator.staff().put("head", Role.HEAD, PASSWORD.toCharArray());
        coordinator.staff().put("tech", Role.TECHNICIAN, PASSWORD.toCharArray());
    }

    /** first at once, second after 10 minutes. */
    private static void ladder(ObjectNode ladders, String kind, String first, String second) {
        var steps = ladders.putArray(kind);
        steps.addObject().putArray("contacts").add(first);
        steps.addObject().put("after", "10m").putArray("contacts").add(second);
    }

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (mail != null) {
            mail.stop();
        }
    }

    // ---- what the other helpers do: open an incident of a source and tell the feed after the commit -------

    private Incident open(IncidentSource source, String category) throws Exception {
        return open(source, category, null);
    }

    /** {@code about}: whom a staff concern is about (pupil, staff, head: docs/CASEWORK.md), or null. */
    private Incident open(IncidentSource source, String category, String about) throws Exception {
        String report = new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString();
        coordinator.database().transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO incidents(report_id, site, room, status, presses, category,"
                    + " computer, opened_at, notes, url, nature, source, about) VALUES (?,?,?,'open',0,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, report);
                ps.setString(2, YEAR5.site());
                ps.setString(3, YEAR5.room());
                ps.setString(4, category);
                ps.setString(5, COMPUTER);
                ps.setString(6, Json.time(clock.instant()));
                ps.setString(7, "Spoke with the class teacher after lunch");
                ps.setString(8, "https://unsuitable.example.invalid/page");
                ps.setString(9, "violent video clip");
                ps.setString(10, source.wire());
                ps.setString(11, about);
                ps.executeUpdate();
            }
            return null;
        });
        Incident incident = coordinator.database().query(c -> new Incidents().find(c, report)).orElseThrow();
        coordinator.feed().incidentChanged(incident);
        return incident;
    }

    private void event(EventType type, ObjectNode data) {
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq, type, YEAR5, clock.instant(), data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
    }

    /** The hub's presence, and the room as stored, before the clock moves again (its "since" is when it was stored). */
    private void presence(boolean online) {
        HubStatus status = new HubStatus(online, clock.instant(), "0.1.0", "ks2", "1", List.of(), null, seq);
        coordinator.ingest().onMessage(Topics.status(YEAR5), status.encode(), true);
        String now = Json.time(clock.instant());
        await().atMost(BOUND).until(() -> coordinator.database().query(c -> new haven.coordinator.Rooms().find(c, YEAR5))
                .filter(r -> r.online() == online && now.equals(r.since())).isPresent());
    }

    private List<String> recipients() {
        List<String> out = new ArrayList<>();
        for (MimeMessage m : mail.getReceivedMessages()) {
            try {
                out.add(m.getRecipients(Message.RecipientType.TO)[0].toString());
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private List<String> subjects() {
        List<String> out = new ArrayList<>();
        for (MimeMessage m : mail.getReceivedMessages()) {
            try {
                out.add(m.getSubject());
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Accepted send attempts recorded in the evidence log, as "contact:alert" (the database, not the clock). */
    private List<String> accepted() throws Exception {
        return coordinator.database().query(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT payload FROM events WHERE type = 'notify.attempt' ORDER BY pos");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    var data = Json.parse(rs.getString(1).getBytes()).path("data");
                    if ("accepted".equals(data.path("outcome").asText())) {
                        out.add(data.path("contact").asText() + ":" + data.path("alert").asText("worry")
                                + (data.has("message") ? ":" + data.path("message").asText() : ""));
                    }
                }
            }
            return out;
        });
    }

    /** Two whole passes of the ladder after now: whatever the clock made due has been sent by then. */
    private void waitTwoPasses() {
        Notifier notifier = coordinator.notifier().orElseThrow();
        long target = notifier.passes() + 2;
        await().atMost(BOUND).until(() -> notifier.passes() >= target);
    }

    private void awaitAccepted(List<String> expected) {
        await().atMost(BOUND).until(() -> accepted().equals(expected));
        await().atMost(BOUND).until(() -> mail.getReceivedMessages().length == expected.size());
    }

    /** Moves the clock and checks that nothing more is sent for it. */
    private void nothingMoreAfter(Duration step) throws Exception {
        List<String> before = accepted();
        clock.advance(step);
        waitTwoPasses();
        waitTwoPasses();
        assertEquals(before, accepted(), "nothing more after " + step);
    }

    private void acknowledge(String who, long id) throws Exception {
        try (StaffClient staff = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, staff.login(who, PASSWORD));
            assertEquals(200, staff.post("/api/incidents/" + id + "/ack", "{}").statusCode());
        }
    }

    /** A failed filter check's incident is not acknowledged (that would tell the room's kiosk a worry was seen): it is closed. */
    private void close(String who, long id) throws Exception {
        try (StaffClient staff = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, staff.login(who, PASSWORD));
            HttpResponse<String> closed = staff.post("/api/incidents/" + id + "/close",
                    "{\"outcome\":\"no-further-action\",\"notes\":\"the filter rule was put back\"}");
            assertEquals(200, closed.statusCode(), closed.body());
        }
    }

    private void noComputerNumberInAnyMail() {
        for (MimeMessage m : mail.getReceivedMessages()) {
            String text = GreenMailUtil.getWholeMessage(m);
            assertFalse(text.contains(COMPUTER), "no computer number: " + text);
            assertFalse(text.contains("unsuitable") || text.contains("Spoke with") || text.contains("violent"), "no URL or notes: " + text);
        }
    }

    @Test
    void aFailedFilterCheckGoesToTheTechnicianThenTheDslAfterTheDelayAndClosingItStopsIt() throws Exception {
        Incident first = open(IncidentSource.FILTER_CHECK, null);
        awaitAccepted(List.of("tech:filter-check-failed"));
        assertEquals("Haven: Filter check failed in Year 5 (Elm)", subjects().get(0));
        nothingMoreAfter(Duration.ofMinutes(9));
        clock.advance(Duration.ofMinutes(1));
        awaitAccepted(List.of("tech:filter-check-failed", "dsl:filter-check-failed"));
        assertEquals(List.of(TECH, DSL), recipients());

        Incident second = open(IncidentSource.FILTER_CHECK, null);
        awaitAccepted(List.of("tech:filter-check-failed", "dsl:filter-check-failed", "tech:filter-check-failed"));
        close("dsl", second.id());
        nothingMoreAfter(Duration.ofMinutes(30));
        assertTrue(first.id() != second.id());
        noComputerNumberInAnyMail();
    }

    @Test
    void anIsolationOpensACaseWhoseLadderClimbsUntilItIsAcknowledgedAndTheDslIsToldOnce() throws Exception {
        // The key switch's isolation opens a case (source isolation) in the same transaction as the event: the
        // hub's event and the case's incident are one alert, one ladder.
        event(EventType.ISOLATION_REQUESTED, Json.object().put("machine", COMPUTER).put("mac", "02:00:00:00:00:07").put("ip", "10.0.5.7"));
        awaitAccepted(List.of("dsl:isolation"));
        assertEquals("Haven: Computer isolated in Year 5 (Elm)", subjects().get(0));
        long incident = coordinator.database().query(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT id FROM incidents WHERE source = 'isolation'");
                 ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the isolation opened a case");
                return rs.getLong(1);
            }
        });
        nothingMoreAfter(Duration.ofMinutes(9));
        clock.advance(Duration.ofMinutes(1));
        awaitAccepted(List.of("dsl:isolation", "head:isolation"));
        assertEquals(List.of(DSL, HEAD), recipients());
        acknowledge("dsl", incident);
        nothingMoreAfter(Duration.ofMinutes(30));
        noComputerNumberInAnyMail();
    }

    @Test
    void anIsolationThatJoinsAPupilsOpenWorryClimbsItsOwnLadderUntilTheComputerIsReleased() throws Exception {
        open(IncidentSource.WORRY, null);
        awaitAccepted(List.of("dsl:worry"));
        // The isolation joins the room's open worry (no case of its own): the hub's event carries the alert.
        event(EventType.ISOLATION_REQUESTED, Json.object().put("machine", COMPUTER).put("mac", "02:00:00:00:00:07").put("ip", "10.0.5.7"));
        awaitAccepted(List.of("dsl:worry", "dsl:isolation"));
        event(EventType.ISOLATION_RELEASED, Json.object().put("machine", COMPUTER).put("mac", "02:00:00:00:00:07").put("ip", "10.0.5.7")
                .put("backend", "manual"));
        nothingMoreAfter(Duration.ofMinutes(15));
        noComputerNumberInAnyMail();
    }

    @Test
    void aHubOfflineForTenMinutesIsAlertedOnceAndItsReturnIsSaidOnceEvenWhenItFlaps() throws Exception {
        presence(true);
        clock.advance(Duration.ofMinutes(1));
        presence(false);
        nothingMoreAfter(Duration.ofMinutes(9));
        assertTrue(accepted().isEmpty(), "offline 9 minutes is not an alert yet");
        clock.advance(Duration.ofMinutes(1));
        awaitAccepted(List.of("tech:hub-offline"));
        assertEquals("Haven: Classroom hub offline in Year 5 (Elm)", subjects().get(0));
        clock.advance(Duration.ofMinutes(10));
        awaitAccepted(List.of("tech:hub-offline", "dsl:hub-offline"));

        // It flaps: back for a minute, down again, back again. One alert, and "back" only once it stays up.
        presence(true);
        nothingMoreAfter(Duration.ofMinutes(1));
        presence(false);
        nothingMoreAfter(Duration.ofMinutes(1));
        presence(true);
        nothingMoreAfter(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));
        // Both are told at once, so in either order.
        await().atMost(BOUND).until(() -> accepted().size() == 4 && mail.getReceivedMessages().length == 4);
        assertEquals(java.util.Set.of("tech:hub-offline:hub-back", "dsl:hub-offline:hub-back"), java.util.Set.copyOf(accepted().subList(2, 4)));
        assertEquals(List.of("tech:hub-offline", "dsl:hub-offline"), accepted().subList(0, 2));
        assertEquals(List.of("Haven: Classroom hub back online in Year 5 (Elm)", "Haven: Classroom hub back online in Year 5 (Elm)",
                "Haven: Classroom hub offline in Year 5 (Elm)", "Haven: Classroom hub offline in Year 5 (Elm)"),
                subjects().stream().sorted().toList(), "the mail server may store them in any order");
        nothingMoreAfter(Duration.ofMinutes(30));
    }

    @Test
    void aHubOfflineOutsideSchoolHoursIsNotAlerted() throws Exception {
        // 10:00 UTC on a Wednesday; these hours make it closed.
        coordinator.close();
        coordinator = null;
        ObjectNode c = Json.object();
        int mqtt = Ports.free();
        broker.close();
        broker = EmbeddedBroker.start(mqtt, null);
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "alert-kinds-test-2");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("closed.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "https://haven.test-school.invalid/");
        n.putObject("smtp").put("host", "127.0.0.1").put("port", smtp).put("security", "none")
                .put("from", "haven@test-school.invalid");
        n.putArray("contacts").addObject().put("staff", "tech").put("email", TECH);
        ObjectNode ladders = n.putObject("ladders");
        ladders.putArray("worry").addObject().putArray("contacts").add("tech");
        ladders.putArray("hub-offline").addObject().putArray("contacts").add("tech");
        n.putObject("schoolHours").put("timeZone", "UTC").put("wednesday", "12:00-16:00");
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
        coordinator.staff().put("tech", Role.TECHNICIAN, PASSWORD.toCharArray());
        presence(false);
        nothingMoreAfter(Duration.ofMinutes(30));
        assertTrue(accepted().isEmpty(), "the school is closed");
        // At 12:00 it opens: ten minutes of school hours offline are needed, not the morning's two hours.
        clock.advance(Duration.ofMinutes(90));
        nothingMoreAfter(Duration.ofMinutes(5));
        assertTrue(accepted().isEmpty(), "offline 5 minutes of school hours");
        clock.advance(Duration.ofMinutes(5));
        awaitAccepted(List.of("tech:hub-offline"));
    }

    @Test
    void aStaffConcernAboutAnAdultGoesToTheHeadAtOnceAndToNobodyElse() throws Exception {
        Incident about = open(IncidentSource.CONCERN, "about-an-adult", "staff");
        awaitAccepted(List.of("head:staff-concern"));
        assertEquals("Haven: Concern logged in Year 5 (Elm)", subjects().get(0));
        nothingMoreAfter(Duration.ofMinutes(30));
        assertEquals(List.of(HEAD), recipients(), "the DSL may not know of it");
        assertTrue(about.id() > 0);

        open(IncidentSource.CONCERN, "unkind-online", "pupil");
        awaitAccepted(List.of("head:staff-concern", "dsl:staff-concern"));
        clock.advance(Duration.ofMinutes(10));
        awaitAccepted(List.of("head:staff-concern", "dsl:staff-concern", "head:staff-concern"));
        noComputerNumberInAnyMail();
        for (MimeMessage m : mail.getReceivedMessages()) {
            assertFalse(GreenMailUtil.getWholeMessage(m).toLowerCase().contains("adult"), "the category is never in an alert");
        }
    }

    @Test
    void aCaseActionRecordedOnTheDashboardIsAlertedWhenOverdueAndStopsWhenMarkedDone() throws Exception {
        Incident incident = open(IncidentSource.WORRY, null);
        awaitAccepted(List.of("dsl:worry"));
        acknowledge("dsl", incident.id());
        try (StaffClient dsl = new StaffClient(coordinator.httpPort())) {
            assertEquals(200, dsl.login("dsl", PASSWORD));
            HttpResponse<String> added = dsl.post("/api/incidents/" + incident.id() + "/actions", Json.write(Json.object()
                    .put("kind", "lado-referral").put("reference", "LADO-77").put("due", Json.time(clock.instant().plus(Duration.ofMinutes(1))))));
            assertEquals(201, added.statusCode(), added.body());
            long action = Json.parse(added.body().getBytes()).path("id").asLong();
            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, coordinator.overdueActions().runOnce());
            awaitAccepted(List.of("dsl:worry", "dsl:action-overdue"));
            HttpResponse<String> done = dsl.post("/api/incidents/" + incident.id() + "/actions/" + action + "/done", "{}");
            assertEquals(200, done.statusCode(), done.body());
        }
        nothingMoreAfter(Duration.ofMinutes(30));
    }

    @Test
    void anOverdueActionClimbsItsLadderUntilTheActionIsDone() throws Exception {
        Incident incident = open(IncidentSource.WORRY, null);
        awaitAccepted(List.of("dsl:worry"));
        acknowledge("dsl", incident.id());
        Incident acked = coordinator.database().query(c -> new Incidents().find(c, incident.id())).orElseThrow();
        Notifier notifier = coordinator.notifier().orElseThrow();
        Instant due = clock.instant();
        notifier.actionOverdue(acked, "call-parents", due);
        awaitAccepted(List.of("dsl:worry", "dsl:action-overdue"));
        assertEquals("Haven: Action overdue in Year 5 (Elm)", subjects().get(1));
        notifier.actionOverdue(acked, "call-parents", due); // the same again is the same alert
        nothingMoreAfter(Duration.ofMinutes(9));
        clock.advance(Duration.ofMinutes(1));
        awaitAccepted(List.of("dsl:worry", "dsl:action-overdue", "head:action-overdue"));

        Instant later = clock.instant();
        notifier.actionOverdue(acked, "refer-to-lado", later);
        awaitAccepted(List.of("dsl:worry", "dsl:action-overdue", "head:action-overdue", "dsl:action-overdue"));
        notifier.actionDone(acked, "refer-to-lado");
        nothingMoreAfter(Duration.ofMinutes(30));
        for (MimeMessage m : mail.getReceivedMessages()) {
            String text = GreenMailUtil.getWholeMessage(m);
            assertFalse(text.contains("parents") || text.contains("lado"), "the action is never named: " + text);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("coordinator.db"))) {
            EventLog.Verification v = EventLog.verify(haven.store.SqlTypes.borrow(c));
            assertTrue(v.intact(), "the attempts are chained: " + v.firstBreak());
        }
    }
}
