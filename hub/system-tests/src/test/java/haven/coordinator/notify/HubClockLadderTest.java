package haven.coordinator.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.testkit.MutableClock;
import haven.testkit.Ports;
import jakarta.mail.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #18: the ladder counts from the coordinator's receive time, never the hub's clock. A Pi has no real-time
 * clock: one hours behind once made every step due at once, and chose the out-of-hours ladder by its own time.
 * School is open 08:00-12:00 (UTC) on this Wednesday; the coordinator's clock says 10:00.
 */
class HubClockLadderTest {
    private static final RoomId YEAR5 = new RoomId("test-school", "year5-elm");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final EventCodec codec = new EventCodec();
    private GreenMail mail;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private long seq;

    private void start() throws Exception {
        int smtp = Ports.free();
        mail = new GreenMail(new ServerSetup(smtp, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        int mqtt = Ports.free();
        broker = EmbeddedBroker.start(mqtt, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + mqtt).put("clientId", "hub-clock-test");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor");
        c.put("database", dir.resolve("coordinator.db").toString());
        ObjectNode n = c.putObject("notify");
        n.put("dashboardUrl", "https://haven.test-school.invalid/");
        n.putObject("smtp").put("host", "127.0.0.1").put("port", smtp).put("security", "none")
                .put("from", "haven@test-school.invalid").put("timeoutSeconds", 5);
        var contacts = n.putArray("contacts");
        contacts.addObject().put("staff", "dsl").put("email", "dsl@test-school.invalid");
        contacts.addObject().put("staff", "head").put("email", "head@test-school.invalid");
        contacts.addObject().put("staff", "on-call").put("email", "on-call@test-school.invalid");
        var worry = n.putObject("ladders").putArray("worry");
        worry.addObject().putArray("contacts").add("dsl");
        worry.addObject().put("after", "10m").putArray("contacts").add("head");
        // Urgent: the DSL and the head at once (issue #16), day or night.
        var urgent = n.withObject("ladders").putArray("urgent-worry").addObject();
        urgent.putArray("contacts").add("dsl").add("head");
        n.putArray("urgentCategories").add("stranger-contact");
        n.putObject("outOfHours").putArray("worry").addObject().putArray("contacts").add("on-call");
        n.putObject("schoolHours").put("timeZone", "UTC").put("wednesday", "08:00-12:00");
        CoordinatorConfig config = CoordinatorConfig.from(ConfigFile.of("test", c));
        coordinator = Coordinator.start(config, clock);
        for (String who : List.of("dsl", "head", "on-call")) {
            coordinator.staff().put(who, who.equals("head") ? Role.HEAD : Role.COORDINATOR, "correct-horse-battery".toCharArray());
        }
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

    /** A press whose 'at' is the hub's clock, off from the coordinator's by {@code hubOffset}. */
    private String press(Duration hubOffset) {
        return press(hubOffset, null);
    }

    private String press(Duration hubOffset, String category) {
        ObjectNode data = Json.object();
        data.put("presses", 1);
        if (category != null) {
            data.put("category", category);
        }
        return send(EventType.WORRY_REPORTED, clock.instant().plus(hubOffset), data);
    }

    /** The pupil chose a category on the kiosk after the press. */
    private void detail(String report, String category) {
        ObjectNode data = Json.object();
        data.put("report", report);
        data.put("category", category);
        send(EventType.WORRY_DETAILED, clock.instant(), data);
    }

    private String send(EventType type, Instant at, ObjectNode data) {
        Event e = new Event(new haven.protocol.UuidV7(java.time.Clock.systemUTC()).next().toString(), ++seq,
                type, YEAR5, at, data);
        coordinator.ingest().onMessage(e.topic(), codec.encode(e), false);
        return e.id();
    }

    private List<String> recipients() {
        return Arrays.stream(mail.getReceivedMessages()).map(m -> {
            try {
                return m.getRecipients(Message.RecipientType.TO)[0].toString();
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private void waitTwoPasses() {
        Notifier notifier = coordinator.notifier().orElseThrow();
        long target = notifier.passes() + 2;
        await().atMost(Duration.ofSeconds(10)).until(() -> notifier.passes() >= target);
    }

    /** The day ladder from the moment the coordinator received the press: the DSL now, the head 10 minutes later. */
    private void dayLadderFromReceipt() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !recipients().isEmpty());
        waitTwoPasses();
        assertEquals(List.of("dsl@test-school.invalid"), recipients(),
                "the day ladder's first step only: not the out-of-hours contact, and the head's step not due yet");
        clock.advance(Duration.ofMinutes(9));
        waitTwoPasses();
        assertEquals(List.of("dsl@test-school.invalid"), recipients(), "the head's step counts from the receive time");
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 2);
        assertEquals(List.of("dsl@test-school.invalid", "head@test-school.invalid"), recipients());
    }

    @Test
    void aHubClockHoursBehindNeitherMakesEveryStepDueNorChoosesTheOutOfHoursLadder() throws Exception {
        start();
        press(Duration.ofHours(-3)); // 07:00 by the hub: before school opens
        dayLadderFromReceipt();
    }

    @Test
    void aHubClockHoursAheadStillGetsTheDayLadderFromTheReceiveTime() throws Exception {
        start();
        press(Duration.ofHours(3)); // 13:00 by the hub: after school closes
        dayLadderFromReceipt();
    }

    @Test
    void aPressWhileSchoolIsClosedReachesTheOutOfHoursContactNotTheDayLadder() throws Exception {
        start();
        clock.advance(Duration.ofHours(3)); // 13:00: closed
        press(Duration.ZERO);
        await().atMost(Duration.ofSeconds(10)).until(() -> !recipients().isEmpty());
        clock.advance(Duration.ofMinutes(30));
        waitTwoPasses();
        assertEquals(List.of("on-call@test-school.invalid"), recipients(), "the out-of-hours ladder only");
    }

    @Test
    void aWorryInAnUrgentCategoryUsesTheUrgentLadder() throws Exception {
        start();
        press(Duration.ZERO, "stranger-contact");
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 2);
        assertEquals(java.util.Set.of("dsl@test-school.invalid", "head@test-school.invalid"), java.util.Set.copyOf(recipients()),
                "the urgent ladder's one step: both at once, not the head 10 minutes later");
    }

    @Test
    void aCategoryChosenLaterSwitchesToTheUrgentLadderWithoutAlertingAnyoneTwice() throws Exception {
        start();
        String report = press(Duration.ZERO);
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().equals(List.of("dsl@test-school.invalid")));
        clock.advance(Duration.ofMinutes(1));
        detail(report, "stranger-contact");
        await().atMost(Duration.ofSeconds(10)).until(() -> recipients().size() == 2);
        clock.advance(Duration.ofMinutes(30));
        waitTwoPasses();
        assertEquals(List.of("dsl@test-school.invalid", "head@test-school.invalid"), recipients(),
                "the head at once on the urgent ladder, the DSL not a second time, and nothing more");
    }
}
