package haven.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.evidence.EventLog;
import haven.coordinator.web.LiveFeed;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import haven.store.Dialect;
import haven.testkit.MutableClock;
import haven.testkit.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * "Flags rooms not tested within a configurable period (default 30 days)" (issue #18): the period is the
 * school's {@code buttonTests.dueDays}, counted by the coordinator's clock from when it received the drill.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class ButtonTestsDueTest {
    @Parameter
    Dialect dialect;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private final RoomId room = new RoomId("school", "year5");
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
        ingest.close();
        db.close();
        databases.close();
    }

    @Test
    void aRoomTestedEightDaysAgoIsOverdueOnAWeeklyPeriodButNotOnTheDefault() throws Exception {
        ObjectNode data = Json.object();
        data.put("armedBy", "oak-teacher");
        Event drill = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), 1,
                EventType.BUTTON_TESTED, room, clock.instant(), data);
        ingest.onMessage(drill.topic(), codec.encode(drill), false);
        ButtonTests weekly = new ButtonTests(db, clock, Duration.ofDays(7));
        ButtonTests monthly = new ButtonTests(db, clock, ButtonTests.DUE);
        await().atMost(Duration.ofSeconds(10)).until(() -> weekly.list().stream().anyMatch(e -> e.lastTestedAt().isPresent()));
        assertFalse(weekly.list().getFirst().overdue(), "tested just now");

        clock.advance(Duration.ofDays(8));
        ButtonTests.Entry entry = weekly.list().getFirst();
        assertTrue(entry.overdue(), "eight days on a seven-day period");
        assertEquals(7, entry.body().dueDays(), "the page words its flag from the period");
        assertFalse(monthly.list().getFirst().overdue(), "eight days on the default thirty");
    }

    @Test
    void thePeriodIsReadFromCoordinatorYamlAndABadOneIsRefusedNamingTheKey() throws Exception {
        Path ok = dir.resolve("ok.yaml");
        Files.writeString(ok, "buttonTests:\n  dueDays: 14\n");
        assertEquals(Duration.ofDays(14), CoordinatorConfig.from(ConfigFile.load(ok)).buttonTestDue());
        Path none = dir.resolve("none.yaml");
        Files.writeString(none, "http:\n  port: 8080\n");
        assertEquals(ButtonTests.DUE, CoordinatorConfig.from(ConfigFile.load(none)).buttonTestDue());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "buttonTests:\n  dueDays: 0\n");
        Exception e = assertThrows(RuntimeException.class, () -> CoordinatorConfig.from(ConfigFile.load(bad)));
        assertTrue(e.getMessage().contains("buttonTests.dueDays"), e.getMessage());
    }
}
