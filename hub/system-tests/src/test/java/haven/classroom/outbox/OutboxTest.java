package haven.classroom.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import haven.testkit.MutableClock;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final RoomId room = new RoomId("school", "year5");

    private Outbox open(Database db) throws Exception {
        return new Outbox(db, new EventCodec(), new UuidV7(clock), clock, room);
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode presses() {
        var data = Json.object();
        data.put("presses", 1);
        return data;
    }

    @Test
    void anEventIsOnDiskBeforeAnyPublishAndSurvivesReopening() throws Exception {
        Path file = dir.resolve("hub.db");
        Event event;
        try (Database db = Database.open(file, "db/hub")) {
            event = open(db).append(EventType.WORRY_REPORTED, presses());
        }
        try (Database db = Database.open(file, "db/hub")) {
            List<Outbox.Pending> pending = open(db).pending(10);
            assertEquals(1, pending.size());
            assertEquals(event.id(), pending.get(0).id());
            assertEquals(event.topic(), pending.get(0).topic());
        }
    }

    @Test
    void seqKeepsRisingAcrossRestartsAndPendingComesInSeqOrder() throws Exception {
        Path file = dir.resolve("hub.db");
        try (Database db = Database.open(file, "db/hub")) {
            Outbox outbox = open(db);
            outbox.append(EventType.WORRY_REPORTED, presses());
            outbox.append(EventType.WORRY_REPORTED, presses());
        }
        try (Database db = Database.open(file, "db/hub")) {
            Outbox outbox = open(db);
            assertEquals(3, outbox.append(EventType.WORRY_REPORTED, presses()).seq());
            assertEquals(List.of(1L, 2L, 3L), outbox.pending(10).stream().map(Outbox.Pending::seq).toList());
        }
    }

    @Test
    void onlyAcknowledgedEventsLeaveThePendingList() throws Exception {
        try (Database db = Database.open(dir.resolve("hub.db"), "db/hub")) {
            Outbox outbox = open(db);
            outbox.append(EventType.WORRY_REPORTED, presses());
            outbox.append(EventType.WORRY_REPORTED, presses());
            outbox.markSent(1);
            assertEquals(List.of(2L), outbox.pending(10).stream().map(Outbox.Pending::seq).toList());
            assertEquals(1, outbox.unsentCount());
        }
    }

    @Test
    void aFullDiskHoldsTheEventInMemoryReportsItAndWritesItThroughLater() throws Exception {
        try (Database db = Database.open(dir.resolve("hub.db"), "db/hub")) {
            Outbox outbox = open(db);
            outbox.append(EventType.HUB_STARTED, Json.object());
            // SQLite's own page limit gives the same SQLITE_FULL a full SD card gives.
            db.read(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA page_count")) {
                    rs.next();
                    st.execute("PRAGMA max_page_count = " + rs.getLong(1));
                }
                return null;
            });
            for (int i = 0; i < 200; i++) {
                outbox.append(EventType.WORRY_REPORTED, presses());
                if (outbox.heldInMemory() > 0) {
                    break;
                }
            }
            assertTrue(outbox.heldInMemory() > 0, "the disk filled up during the test");
            assertTrue(outbox.condition().orElse("").contains("outbox-write-failed"));
            long unsentWhileFull = outbox.unsentCount();
            List<Outbox.Pending> pending = outbox.pending(1000);
            assertEquals(unsentWhileFull, pending.size(), "held events are still offered for publishing");

            db.read(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("PRAGMA max_page_count = 1073741823");
                }
                return null;
            });
            assertTrue(outbox.tryWriteHeld());
            assertEquals(0, outbox.heldInMemory());
            assertTrue(outbox.condition().isEmpty());
            assertEquals(unsentWhileFull, outbox.unsentCount(), "nothing was lost on the way to disk");
        }
    }
}
