package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * A classroom Pi holds a broker password (hub.yaml), so a stolen or tampered hub is a real threat: what one
 * room's hub sends must never change another room's incidents, nor hide them (docs/SECURITY.md, hostile hub).
 * Run on SQLite and on a real PostgreSQL (see TestDatabases).
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class HostileHubTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final UuidV7 ids = new UuidV7(clock);
    private final RoomId roomA = new RoomId("school", "year5");
    private final RoomId roomB = new RoomId("school", "year6");
    private TestDatabases databases;
    private Database db;
    private Ingest ingest;

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        ingest = new Ingest(db, codec, new EventLog(codec), new Incidents(), new Rooms(), new Isolations(), new LiveFeed(), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (db != null) {
            db.close();
        }
        databases.close();
    }

    private Event event(RoomId room, long seq, EventType type, ObjectNode data) {
        return new Event(ids.next().toString(), seq, type, room, clock.instant(), data);
    }

    private void send(Event e) {
        ingest.onMessage(e.topic(), codec.encode(e), false);
    }

    private long count(String sql) throws Exception {
        return db.query(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private List<String> reasons() throws Exception {
        return db.query(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT reason FROM rejected ORDER BY id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    @Test
    void aFollowUpFromAnotherRoomCannotRewriteAReport() throws Exception {
        Event report = event(roomB, 1, EventType.WORRY_REPORTED, Json.object().put("presses", 1).put("category", "stranger-contact"));
        send(report);
        Event detail = event(roomA, 1, EventType.WORRY_DETAILED, Json.object().put("report", report.id()).put("category", "about-an-adult"));
        Event repeat = event(roomA, 2, EventType.WORRY_REPEATED, Json.object().put("report", report.id()).put("presses", 40));
        send(detail);
        send(repeat);
        Incident b = db.query(c -> new Incidents().find(c, report.id())).orElseThrow();
        assertEquals(roomB, b.room());
        assertEquals("stranger-contact", b.category(), "room A's hub recategorised room B's report");
        assertEquals(1, b.presses());
        assertEquals(2, count("SELECT count(*) FROM rejected"), "both follow-ups are kept aside");
        assertTrue(reasons().stream().allMatch(r -> r.contains("another room")), reasons().toString());
        assertEquals(1, count("SELECT count(*) FROM events"), "nothing of the forgery entered the evidence log");
    }

    private void sendRaw(String topic, String json) {
        ingest.onMessage(topic, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
    }

    private String reportJson(String id, long seq) {
        return "{\"id\":\"" + id + "\",\"seq\":" + seq + ",\"type\":\"worry.reported\",\"site\":\"school\",\"room\":\"year5\","
                + "\"at\":\"2026-11-25T10:00:00.000Z\",\"data\":{\"presses\":1}}";
    }

    @Test
    void onlyCanonicalLowercaseUuid7IdsAreTakenSoCaseVariantsAreNotFiveIncidents() throws Exception {
        String topic = haven.protocol.Topics.event(roomA, EventType.WORRY_REPORTED);
        String id = ids.next().toString();
        String upper = id.toUpperCase(java.util.Locale.ROOT);
        String mixed = id.substring(0, 9) + id.substring(9, 14).toUpperCase(java.util.Locale.ROOT) + id.substring(14);
        List<String> forms = List.of(id, upper, mixed, java.util.UUID.randomUUID().toString(), "1-2-3-4-5");
        for (int i = 0; i < forms.size(); i++) {
            sendRaw(topic, reportJson(forms.get(i), i + 1));
        }
        assertEquals(1, count("SELECT count(*) FROM incidents"), "one report, whatever its spelling");
        assertEquals(4, count("SELECT count(*) FROM rejected"));
        // A follow-up must name its report in the same spelling, or it is refused too.
        Event detail = event(roomA, 9, EventType.WORRY_DETAILED, Json.object().put("report", upper).put("category", "other"));
        send(detail);
        assertEquals(5, count("SELECT count(*) FROM rejected"));
    }

    @Test
    void anExtraFieldInAnyEventTypeNeverEntersTheAppendOnlyLog() throws Exception {
        ObjectNode applied = Json.object().put("machine", "PC-07").put("mac", "02:5b:26:a8:dc:12").put("ip", "10.12.0.57")
                .put("backend", "nftables").put("handle", "h").put("verified", true).put("evidence", "e").put("pupilName", "Ada Lovelace");
        send(event(roomA, 1, EventType.ISOLATION_APPLIED, applied));
        send(event(roomA, 2, EventType.SWITCH_CHANGED, Json.object().put("on", true).put("pupilName", "Ada Lovelace")));
        send(event(roomA, 3, EventType.HUB_STARTED, Json.object().put("version", "0.1.0").put("gpio", "mock").put("note", "Ada Lovelace")));
        send(event(roomA, 4, EventType.CMD_APPLIED, Json.object().put("command", "x").put("name", "ack").put("by", "Ada Lovelace")));
        send(event(roomA, 5, EventType.ISOLATION_FAILED, Json.object().put("machine", "PC-07").put("mac", "02:5b:26:a8:dc:12")
                .put("ip", "10.12.0.57").put("backend", "webhook").put("reason", "x".repeat(5000))));
        assertEquals(0, count("SELECT count(*) FROM events WHERE payload LIKE '%Ada Lovelace%'"));
        assertEquals(5, count("SELECT count(*) FROM rejected"));
        applied.remove("pupilName");
        send(event(roomA, 6, EventType.ISOLATION_APPLIED, applied));
        assertEquals(1, count("SELECT count(*) FROM events"), "the contract's own fields still pass");
    }

    @Test
    void aStatusWithUnboundedOrUnknownFieldsIsRejectedAndKept() throws Exception {
        String topic = haven.protocol.Topics.status(roomA);
        String ok = "{\"state\":\"online\",\"at\":\"2026-11-25T10:00:00.000Z\",\"hub\":{\"version\":\"0.1.0\","
                + "\"aup\":{\"keyStage\":\"ks2\",\"version\":\"1\"},\"isolations\":[],\"lastSeq\":0}}";
        sendRaw(topic, ok.replace("0.1.0", "v".repeat(5000)));
        sendRaw(topic, ok.replace("\"isolations\":[]", "\"isolations\":[\"" + "m".repeat(3000) + "\"]"));
        sendRaw(topic, ok.replace("\"lastSeq\":0", "\"lastSeq\":0,\"pupilName\":\"Ada Lovelace\""));
        assertEquals(3, count("SELECT count(*) FROM rejected"));
        assertEquals(0, count("SELECT count(*) FROM rooms"));
        sendRaw(topic, ok);
        assertEquals(1, count("SELECT count(*) FROM rooms"));
    }

    @Test
    void aForgedHugeSeqIsRefusedAndLeavesNoGapToRepair() throws Exception {
        send(event(roomA, 1, EventType.WORRY_REPORTED, Json.object().put("presses", 1)));
        send(event(roomA, 9_200_000_000_000_000_000L, EventType.WORRY_REPORTED, Json.object().put("presses", 1)));
        String status = "{\"state\":\"online\",\"at\":\"2026-11-25T10:00:00.000Z\",\"hub\":{\"version\":\"0.1.0\","
                + "\"aup\":{\"keyStage\":\"ks2\",\"version\":\"1\"},\"isolations\":[],\"lastSeq\":9200000000000000000}}";
        sendRaw(haven.protocol.Topics.status(roomA), status);
        assertEquals(2, count("SELECT count(*) FROM rejected"));
        assertTrue(reasons().stream().allMatch(r -> r.toLowerCase(java.util.Locale.ROOT).contains("seq")), reasons().toString());
        assertNull(db.query(c -> new Rooms().find(c, roomA)).orElseThrow().gapWarning());
    }

    @Test
    void gapRepairStopsAskingAHubThatNeverAnswersAndSaysSoOnTheRoom() throws Exception {
        try (haven.demo.EmbeddedBroker broker = haven.demo.EmbeddedBroker.start(haven.testkit.Ports.free(), dir.resolve("broker"));
             haven.mqtt.MqttLink link = new haven.mqtt.MqttLink(haven.mqtt.MqttSettings.local(broker.port(), "coordinator-test", 30, true), null)) {
            link.start();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(link::isConnected);
            GapRepair repair = new GapRepair(db, new Rooms(), new CommandSender(link, ids, clock, haven.protocol.CoordinatorSigner.generate()), clock, 3);
            send(event(roomA, 1, EventType.WORRY_REPORTED, Json.object().put("presses", 1)));
            send(event(roomA, 3, EventType.WORRY_REPORTED, Json.object().put("presses", 1)));
            List<Integer> asked = new ArrayList<>();
            for (int pass = 0; pass < 6; pass++) {
                asked.add(repair.repairOnce());
            }
            assertEquals(List.of(1, 1, 1, 0, 0, 0), asked, "three asks, then it stops");
            String warning = db.query(c -> new Rooms().find(c, roomA)).orElseThrow().gapWarning();
            assertTrue(warning != null && warning.contains("stopped asking"), String.valueOf(warning));
            // The hub answers after all: the gap closes and the warning goes.
            send(event(roomA, 2, EventType.WORRY_REPORTED, Json.object().put("presses", 1)));
            assertNull(db.query(c -> new Rooms().find(c, roomA)).orElseThrow().gapWarning());
        }
    }

    // ---- clock trust: the coordinator's receive time, not the hub's, decides -------------------------------

    @Test
    void anEventDatedFarAheadIsRefusedAndKept() throws Exception {
        send(new Event(ids.next().toString(), 1, EventType.WORRY_REPORTED, roomA, Instant.parse("2099-01-01T09:00:00Z"),
                Json.object().put("presses", 1)));
        assertEquals(0, count("SELECT count(*) FROM incidents"));
        assertEquals(1, count("SELECT count(*) FROM rejected"));
        assertTrue(reasons().getFirst().contains("'at'"), reasons().toString());
    }

    @Test
    void aWorryFromAHubWhoseClockIsAheadStillEscalatesByTheCoordinatorsClock() throws Exception {
        java.time.Duration ackWithin = java.time.Duration.ofMinutes(10);
        Escalation escalation = new Escalation(db, new Incidents(), new LiveFeed(), new haven.coordinator.evidence.AuditLog(db, clock),
                clock, ackWithin, java.util.Optional.empty(), java.time.ZoneOffset.UTC);
        Event ahead = new Event(ids.next().toString(), 1, EventType.WORRY_REPORTED, roomA, clock.instant().plus(java.time.Duration.ofHours(20)),
                Json.object().put("presses", 1));
        send(ahead);
        clock.advance(ackWithin.plusMinutes(1));
        escalation.runOnce();
        assertEquals(IncidentStatus.ESCALATED, db.query(c -> new Incidents().find(c, ahead.id())).orElseThrow().status(),
                "escalation goes by when the coordinator received the worry, not by the hub's clock");
    }

    // ---- privacy: refusals name the field, never the value -------------------------------------------------

    @Test
    void rejectedPayloadsAreLoggedByReasonAndFieldNeverByValue() throws Exception {
        String name = "Ada Lovelace";
        String topic = haven.protocol.Topics.event(roomA, EventType.WORRY_REPORTED);
        String good = reportJson(ids.next().toString(), 1);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            sendRaw(topic, "{\"id\": " + name + "}");
            sendRaw(topic, good.replace("\"presses\":1", "\"presses\":1,\"computer\":\"" + name + "\""));
            sendRaw(topic, good.replace("\"presses\":1", "\"presses\":1,\"category\":\"" + name + "\""));
            sendRaw(topic, good.replace("2026-11-25T10:00:00.000Z", name));
            sendRaw(topic, good.replace("\"presses\":1", "\"presses\":1,\"" + name + "\":1"));
            sendRaw(topic, good.replaceFirst("\"id\":\"[^\"]+\"", "\"id\":\"" + name + "\""));
            sendRaw("haven/v1/school/year5/event/" + name.replace(' ', '-'), good);
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(7, count("SELECT count(*) FROM rejected"), log);
        assertTrue(log.contains("payload rejected"), log);
        assertTrue(!log.contains("Lovelace") && !log.contains("Ada"), "a planted name reached the log:\n" + log);
        assertTrue(reasons().stream().noneMatch(r -> r.contains("Ada")), "nor the stored reasons: " + reasons());
    }
}
