package haven.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.EventLog;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The evidence rule on the committer's own path (batches, acks, pushes): a message is acknowledged to the broker
 * only once the transaction holding it has committed, a dashboard hears of it only after that, in commit order, and a
 * failed commit acknowledges and pushes nothing. The waits below are bounded so a broken build fails instead of hanging;
 * nothing asserts how long anything took. On SQLite and PostgreSQL (TestDatabases).
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class IngestAckOrderTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final Heard heard = new Heard();
    /** Event ids in the order their acks ran, and whether each was already in the committed log at that moment. */
    private final List<String> acked = Collections.synchronizedList(new ArrayList<>());
    private final List<String> ackedBeforeStored = Collections.synchronizedList(new ArrayList<>());
    private TestDatabases databases;
    private Database db;
    private Ingest ingest;

    /** A dashboard that notes, for every incident it hears of, whether that worry's ack had already run. */
    private final class Heard implements Changes {
        final List<String> incidents = Collections.synchronizedList(new ArrayList<>());
        final List<String> beforeAck = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void incidentChanged(Incident incident) {
            if (!acked.contains(incident.reportId())) {
                beforeAck.add(incident.reportId());
            }
            incidents.add(incident.reportId());
        }

        @Override
        public void roomChanged(RoomView room) {
        }

        @Override
        public void aupsChanged(ObjectNode aups) {
        }

        @Override
        public void isolationChanged(IsolationView isolation) {
        }

        @Override
        public void actionDone(Incident incident, String actionKind) {
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        databases = new TestDatabases(dialect, dir);
        db = databases.create("coordinator").open();
        ingest = new Ingest(db, codec, new EventLog(codec), new Incidents(), new Rooms(), new Isolations(), heard, clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ingest != null) {
            ingest.close();
        }
        if (db != null) {
            db.close();
        }
        databases.close();
    }

    /** Worries from three rooms, interleaved, seq rising per room. */
    private List<Event> worries(int n) {
        haven.protocol.UuidV7 ids = new haven.protocol.UuidV7(java.time.Clock.systemUTC());
        List<Event> out = new ArrayList<>();
        long[] seq = new long[3];
        for (int i = 0; i < n; i++) {
            ObjectNode data = Json.object();
            data.put("presses", 1);
            out.add(new Event(ids.next().toString(), ++seq[i % 3], EventType.WORRY_REPORTED, new RoomId("school", "room" + (i % 3)),
                    clock.instant(), data));
        }
        return out;
    }

    private boolean stored(String id) throws Exception {
        return db.query(c -> c.createQuery("SELECT count(*) FROM events WHERE id = :id").bind("id", id).mapTo(Long.class).one()) == 1;
    }

    private void enqueue(Event event, CountDownLatch acks) {
        ingest.enqueue(event.topic(), codec.encode(event), () -> {
            try {
                if (!stored(event.id())) {
                    ackedBeforeStored.add(event.id());
                }
            } catch (Exception e) {
                ackedBeforeStored.add(event.id() + " (could not read: " + e.getClass().getSimpleName() + ")");
            }
            acked.add(event.id());
            acks.countDown();
        });
    }

    @Test
    void everyAckFollowsItsCommitAndEveryPushFollowsItsAckInOrder() throws Exception {
        List<Event> events = worries(Ingest.MAX_BATCH + 44); // more than one batch
        CountDownLatch acks = new CountDownLatch(events.size());
        events.forEach(e -> enqueue(e, acks));
        ingest.startCommitter();

        assertTrue(acks.await(120, TimeUnit.SECONDS), "every message acknowledged: " + acked.size() + " of " + events.size());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (heard.incidents.size() < events.size() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<String> ids = events.stream().map(Event::id).toList();
        assertEquals(List.of(), ackedBeforeStored, "acknowledged before its commit");
        assertEquals(List.of(), heard.beforeAck, "pushed to a dashboard before its commit and ack");
        assertEquals(ids, acked, "acks in arrival order");
        assertEquals(ids, heard.incidents, "pushes in commit order, each worry once");
        assertEquals(events.size(), ingest.accepted());
        assertEquals(0, ingest.failedBatches());
    }

    @Test
    void aFailedCommitAcknowledgesNothingAndPushesNothing() throws Exception {
        // A real failure of the batch's transaction: the per-batch counter update cannot run.
        db.transaction(c -> c.execute("DROP TABLE counters"));
        List<Event> events = worries(10);
        CountDownLatch acks = new CountDownLatch(events.size());
        events.forEach(e -> enqueue(e, acks));
        ingest.startCommitter();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ingest.failedBatches() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, ingest.failedBatches(), "the one batch failed");
        ingest.close(); // the committer has stopped: nothing can still be acknowledged or pushed after the asserts
        ingest = null;
        assertEquals(List.of(), acked, "nothing acknowledged: the broker must redeliver it all");
        assertEquals(List.of(), heard.incidents, "nothing pushed");
        for (Event e : events) {
            assertFalse(stored(e.id()), "rolled back: " + e.seq());
        }
    }
}
