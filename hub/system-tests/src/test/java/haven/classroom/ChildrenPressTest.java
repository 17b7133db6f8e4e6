package haven.classroom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import haven.classroom.gpio.GpioBoard;
import haven.classroom.gpio.PressDebouncer;
import haven.classroom.gpio.StatusLeds;
import haven.classroom.gpio.WorryButton;
import haven.classroom.outbox.Outbox;
import haven.protocol.EventCodec;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.store.Database;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import haven.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** From the Pi4J edge to the outbox: mashing is one report with a press count; the simulation tells the truth. */
class ChildrenPressTest {
    @TempDir
    Path dir;

    @Test
    void mashingTheButtonIsOneReportWithAPressCount() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
        try (GpioBoard board = GpioBoard.open(GpioBoard.Provider.MOCK);
             Database db = Database.open(dir.resolve("hub.db"), "db/hub")) {
            RoomId room = new RoomId("school", "year5");
            Outbox outbox = new Outbox(db, new EventCodec(), new UuidV7(clock), clock, room);
            StatusLeds leds = new StatusLeds(board.output("g", 22), board.output("a", 23), board.output("r", 24));
            Classroom classroom = new Classroom(room, outbox, leds, clock, Duration.ofSeconds(10), Duration.ofSeconds(30),
                    Aup.sample("ks2"), () -> { });
            var input = board.input("worry-button", 17);
            MockDigitalInput line = board.mock(input).orElseThrow();
            try (WorryButton button = new WorryButton(input, new PressDebouncer(15), clock, classroom::press)) {
                for (int i = 0; i < 10; i++) {
                    line.mockState(DigitalState.LOW);
                    clock.advance(Duration.ofMillis(2));
                    line.mockState(DigitalState.HIGH); // bounce
                    clock.advance(Duration.ofMillis(1));
                    line.mockState(DigitalState.LOW);
                    clock.advance(Duration.ofMillis(60));
                    line.mockState(DigitalState.HIGH);
                    clock.advance(Duration.ofMillis(40));
                }
            }
            List<JsonNode> events = outbox.pending(100).stream().map(p -> Json.parse(p.payload())).toList();
            List<String> types = events.stream().map(e -> e.get("type").asText()).toList();
            assertEquals(1, types.stream().filter("worry.reported"::equals).count(), "one report: " + types);
            assertEquals(9, types.stream().filter("worry.repeated"::equals).count(), types.toString());
            JsonNode last = events.get(events.size() - 1).get("data");
            assertEquals(10, last.get("presses").asInt());
            assertEquals(events.get(0).get("id").asText(), last.get("report").asText());
        }
    }

    private static HttpResponse<String> simPress(HttpClient http, int port, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sim/button"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long worryEvents(Hub hub) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + hub.config().database());
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM outbox WHERE payload LIKE '%\"type\":\"worry.reported\"%' OR payload LIKE '%\"type\":\"worry.repeated\"%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void theSimulatedButtonAnswers2xxOnlyForAPressTheDebouncerCounted() throws Exception {
        // No broker on this port: the hub works offline, which is all the button needs.
        try (Hub hub = Hub.start(Stack.hub("year5", Ports.free(), dir), Clock.systemUTC());
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> first = simPress(http, hub.kioskPort(), "{\"holdMillis\": 5000}");
            assertEquals(202, first.statusCode(), first.body());
            JsonNode counted = Json.parse(first.body().getBytes());
            assertEquals("press", counted.get("debouncer").asText());
            assertTrue(counted.get("counted").asBoolean());

            // Still held: the hand lets go and presses again in the same instant, which is bounce.
            HttpResponse<String> again = simPress(http, hub.kioskPort(), "{\"holdMillis\": 1}");
            assertEquals(409, again.statusCode(), again.body());
            JsonNode dropped = Json.parse(again.body().getBytes());
            assertEquals("bounce", dropped.get("debouncer").asText());
            assertFalse(dropped.get("counted").asBoolean());
            assertTrue(dropped.get("reason").asText().contains("gpio.buttonReleaseMillis"), dropped.toString());
            assertEquals(1, worryEvents(hub), "the dropped press made no event");

            // Once let go for longer than the release time, the next press counts again.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> simPress(http, hub.kioskPort(), "{\"holdMillis\": 1}").statusCode() == 202);
            assertEquals(2, worryEvents(hub));
            assertEquals(400, simPress(http, hub.kioskPort(), "{\"holdMillis\": 0}").statusCode());
        }
    }
}
