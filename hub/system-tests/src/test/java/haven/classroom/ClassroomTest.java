package haven.classroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.classroom.gpio.GpioBoard;
import haven.classroom.gpio.StatusLeds;
import haven.classroom.outbox.Outbox;
import haven.protocol.Command;
import haven.protocol.CommandName;
import haven.protocol.EventCodec;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import haven.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassroomTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private GpioBoard board;
    private Database db;
    private Outbox outbox;
    private StatusLeds leds;
    private Classroom classroom;

    @BeforeEach
    void setUp() throws Exception {
        board = GpioBoard.open(GpioBoard.Provider.MOCK);
        db = Database.open(dir.resolve("hub.db"), "db/hub");
        RoomId room = new RoomId("school", "year5");
        outbox = new Outbox(db, new EventCodec(), new UuidV7(clock), clock, room);
        leds = new StatusLeds(board.output("g", 22), board.output("a", 23), board.output("r", 24));
        classroom = new Classroom(room, outbox, leds, clock, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Aup.sample("ks2"), () -> { });
    }

    @AfterEach
    void tearDown() {
        db.close();
        board.close();
    }

    private List<String> types() {
        return outbox.pending(100).stream()
                .map(p -> Json.parse(p.payload()).get("type").asText()).toList();
    }

    @Test
    void onePressIsOneReportAndLightsTheAmberLed() {
        classroom.press();
        assertEquals(List.of("worry.reported"), types());
        assertTrue(leds.isReportPending());
        assertEquals("thanks", classroom.view().get("screen").asText());
    }

    @Test
    void pressesInsideTheCoalescingWindowJoinTheOpenReport() {
        classroom.press();
        clock.advance(Duration.ofSeconds(4));
        classroom.press();
        clock.advance(Duration.ofSeconds(9));
        classroom.press();
        assertEquals(List.of("worry.reported", "worry.repeated", "worry.repeated"), types());
        var last = Json.parse(outbox.pending(100).get(2).payload()).get("data");
        assertEquals(3, last.get("presses").asInt());
        assertEquals(outbox.pending(100).get(0).id(), last.get("report").asText());
    }

    @Test
    void aPressAfterTheWindowOpensANewReport() {
        classroom.press();
        clock.advance(Duration.ofSeconds(11));
        classroom.press();
        assertEquals(List.of("worry.reported", "worry.reported"), types());
    }

    @Test
    void theThankYouScreenTimesOutBackToTheAup() {
        classroom.press();
        clock.advance(Duration.ofSeconds(31));
        assertEquals("idle", classroom.view().get("screen").asText());
    }

    @Test
    void detailIsOptionalAndChecked() {
        classroom.press();
        classroom.detail("stranger-contact", "7");
        assertEquals("worry.detailed", types().get(1));
        assertThrows(IllegalArgumentException.class, () -> classroom.detail("gossip", null));
        clock.advance(Duration.ofSeconds(31));
        assertThrows(IllegalStateException.class, () -> classroom.detail("other", null));
    }

    @Test
    void theScreenStateNeverCarriesThePupilsChoiceAndANewPressStartsFresh() {
        classroom.press();
        classroom.detail("about-an-adult", "17");
        String shown = Json.write(classroom.view());
        assertFalse(shown.contains("about-an-adult") || shown.contains("17\""), shown);
        assertTrue(classroom.view().get("report").get("detailGiven").asBoolean());
        clock.advance(Duration.ofSeconds(3));
        classroom.press();
        assertFalse(classroom.view().get("report").get("detailGiven").asBoolean(), "the next pupil is offered the choices again");
        assertTrue(types().contains("worry.detailed"), "the choice still went to the outbox");
    }

    @Test
    void anAcknowledgementShowsTheTrustedAdultScreenAndTurnsTheAmberLedOff() {
        classroom.press();
        String report = outbox.pending(1).get(0).id();
        var args = Json.object();
        args.put("report", report);
        Command ack = new Command("c1", clock.instant(), CommandName.ACK, "coordinator", "dsl", args);
        classroom.apply(Command.decode("haven/v1/school/year5/cmd/ack", ack.encode()));
        assertFalse(leds.isReportPending());
        assertEquals("acknowledged", classroom.view().get("screen").asText());
        assertEquals("cmd.applied", types().get(1));
        clock.advance(Duration.ofSeconds(2));
        classroom.press();
        assertEquals("worry.reported", types().get(2), "after an acknowledgement a press is a new report");
    }

    @Test
    void anAcknowledgementOfAnotherReportChangesNeitherTheScreenNorTheLight() {
        classroom.press();
        var args = Json.object();
        args.put("report", new UuidV7(clock).next().toString()).put("incident", 1);
        Command forged = new Command(new UuidV7(clock).next().toString(), clock.instant(), CommandName.ACK, "coordinator", "dsl", args);
        classroom.apply(Command.decode("haven/v1/school/year5/cmd/ack", forged.encode()));
        assertTrue(leds.isReportPending(), "the amber light still says nobody has seen it");
        assertEquals("thanks", classroom.view().get("screen").asText(), "the pupil is not told an adult has seen it");
        assertTrue(classroom.worryOpen());
    }

    @Test
    void theAupIsRenderedWithoutRawHtml() {
        Aup hostile = new Aup("ks2", "x", "t", "# Rules\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))");
        String html = hostile.html();
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("javascript:"), html);
        assertTrue(new String(Aup.sample("ks1").markdown().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .contains("Sample for your school to edit"));
    }

    @Test
    void thePupilsComputerIsTheMachinesNumberOrOneOfTheRoomsLabelsNeverFreeText() {
        Classroom withInventory = new Classroom(new RoomId("school", "year5"), outbox, leds, clock, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Aup.sample("ks2"), () -> { }, java.util.Set.of("PC-07", "PC-08"));
        withInventory.press();
        for (String notAMachine : List.of("Ada Lovelace", "Ada", "PC-99", "1234")) {
            IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> withInventory.detail(null, notAMachine), notAMachine);
            assertFalse(refused.getMessage().contains(notAMachine), "the refusal does not echo what was typed");
        }
        withInventory.detail(null, "PC-07");
        withInventory.detail(null, "7");
    }
}
