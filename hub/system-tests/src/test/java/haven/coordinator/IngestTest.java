package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.store.Database;
import haven.store.Dialect;
import haven.coordinator.evidence.EventLog;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Run on SQLite and on a real PostgreSQL (see TestDatabases). */
@ParameterizedClass
@EnumSource(Dialect.class)
class IngestTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private TestDatabases databases;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final RoomId room = new RoomId("school", "year5");
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

    private Event worry(long seq) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        return new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), seq, EventType.WORRY_REPORTED, room, clock.instant(), data);
    }

    private long count(String sql) throws Exception {
        return db.query(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void theSameEventTwiceIsOneIncidentAndACountedDuplicate() throws Exception {
        Event e = worry(1);
        ingest.onMessage(e.topic(), codec.encode(e), false);
        ingest.onMessage(e.topic(), codec.encode(e), false);
        assertEquals(1, count("SELECT count(*) FROM incidents"));
        assertEquals(1, count("SELECT count(*) FROM events"));
        assertEquals(1, ingest.duplicates());
        assertEquals(1, count("SELECT value FROM counters WHERE name = 'duplicates'"));
    }

    @Test
    void aFollowUpThatArrivesBeforeItsReportStillLandsOnOneIncident() throws Exception {
        Event report = worry(1);
        ObjectNode data = Json.object();
        data.put("report", report.id());
        data.put("presses", 3);
        Event repeat = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), 2, EventType.WORRY_REPEATED, room, clock.instant(), data);
        ingest.onMessage(repeat.topic(), codec.encode(repeat), false);
        ingest.onMessage(report.topic(), codec.encode(report), false);
        assertEquals(1, count("SELECT count(*) FROM incidents"));
        assertEquals(3, count("SELECT presses FROM incidents"));
    }

    @Test
    void aGapInAHubsSeqIsShownOnTheRoomAndClearsWhenFilled() throws Exception {
        Event first = worry(1);
        Event third = worry(3);
        ingest.onMessage(first.topic(), codec.encode(first), false);
        ingest.onMessage(third.topic(), codec.encode(third), false);
        String warning = db.query(c -> new Rooms().find(c, room)).orElseThrow().gapWarning();
        assertTrue(warning != null && warning.startsWith("1 event(s)"), String.valueOf(warning));
        Event second = worry(2);
        ingest.onMessage(second.topic(), codec.encode(second), false);
        assertEquals(null, db.query(c -> new Rooms().find(c, room)).orElseThrow().gapWarning());
    }

    @Test
    void missingRangesIncludeTrailingEventsTheHubSaysItHas() throws Exception {
        for (long seq : new long[] {1, 2, 5, 6, 9}) {
            Event e = worry(seq);
            ingest.onMessage(e.topic(), codec.encode(e), false);
        }
        haven.protocol.HubStatus status = new haven.protocol.HubStatus(true, clock.instant(), "v", "ks2", "1",
                List.of(), null, 12);
        ingest.onMessage(Topics.status(room), status.encode(), true);
        List<long[]> ranges = db.query(c -> new Rooms().missingRanges(c, room, 10));
        assertEquals(List.of("3-4", "7-8", "10-12"), ranges.stream().map(r -> r[0] + "-" + r[1]).toList());
        assertEquals(7L, (long) db.query(c -> new Rooms().missing(c, room)));
        assertTrue(db.query(c -> new Rooms().find(c, room)).orElseThrow().gapWarning().startsWith("7 event(s)"));
    }

    @Test
    void everyKindOfBadPayloadIsRejectedKeptAndCountedWhileIngestCarriesOn() throws Exception {
        String topic = Topics.event(room, EventType.WORRY_REPORTED);
        String good = new String(codec.encode(worry(1)), StandardCharsets.UTF_8);
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[] {topic, "x".repeat(EventCodec.MAX_PAYLOAD_BYTES + 10)});
        bad.add(new String[] {topic, "{not json"});
        bad.add(new String[] {topic, "{\"id\":\"" + new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next() + "\"}"});
        bad.add(new String[] {"haven/v1/school/year5/event/made.up", good.replace("worry.reported", "made.up")});
        bad.add(new String[] {"haven/v1/school/year6/event/worry.reported", good});
        bad.add(new String[] {"haven/v1/school/year5/gossip", good});
        for (String[] b : bad) {
            ingest.onMessage(b[0], b[1].getBytes(StandardCharsets.UTF_8), false);
        }
        Event fine = worry(2);
        ingest.onMessage(fine.topic(), codec.encode(fine), false);
        assertEquals(bad.size(), count("SELECT count(*) FROM rejected"));
        assertEquals(bad.size(), ingest.rejected());
        assertEquals(1, count("SELECT count(*) FROM incidents"), "ingest carried on after the bad payloads");
        assertEquals(EventCodec.MAX_PAYLOAD_BYTES + 10, count("SELECT max(size) FROM rejected"));
        assertEquals(0, count("SELECT count(*) FROM rejected WHERE reason IS NULL OR reason = ''"));
    }
}
