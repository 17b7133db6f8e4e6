package haven.classroom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.gpio.StatusLeds;
import haven.classroom.outbox.Outbox;
import haven.protocol.Category;
import haven.protocol.Command;
import haven.protocol.CommandName;
import haven.protocol.Event;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens in one classroom: a press becomes a report, more presses soon after join it, the pupil
 * may add a category or computer, and a trusted adult's acknowledgement comes back to the screen.
 * Every change is an event in the outbox first; the LED and the kiosk answer at once, even offline.
 */
public final class Classroom {
    private static final Logger log = LoggerFactory.getLogger(Classroom.class);
    private static final Duration ACK_SCREEN = Duration.ofSeconds(60);

    private final RoomId room;
    private final Outbox outbox;
    private final StatusLeds leds;
    private final Clock clock;
    private final Duration coalesceWindow;
    private final Duration detailWindow;
    private final Runnable sendNow;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** The room's machine labels (hub.yaml isolation.computers): the only labels a pupil's choice may name. */
    private final java.util.Set<String> machines;

    private Report report;
    private Aup aup;
    private boolean online;
    private boolean keySwitchOn;
    private final ButtonTest buttonTest = new ButtonTest();

    /**
     * The report currently shown on the kiosk. {@code detailSincePress} is all the screen may know of the
     * pupil's choice: the category and computer go to the outbox and never back to the public screen.
     */
    private record Report(String id, Instant firstPress, Instant lastPress, long presses, boolean detailSincePress,
                          Instant acknowledgedAt) {
        Report withPress(Instant at) {
            // A later press may be another pupil: the screen offers the choices afresh.
            return new Report(id, firstPress, at, presses + 1, false, acknowledgedAt);
        }

        Report withDetail() {
            return new Report(id, firstPress, lastPress, presses, true, acknowledgedAt);
        }

        Report acknowledged(Instant at) {
            return new Report(id, firstPress, lastPress, presses, detailSincePress, at);
        }
    }

    public Classroom(RoomId room, Outbox outbox, StatusLeds leds, Clock clock, Duration coalesceWindow,
                     Duration detailWindow, Aup aup, Runnable sendNow) {
        this(room, outbox, leds, clock, coalesceWindow, detailWindow, aup, sendNow, java.util.Set.of());
    }

    public Classroom(RoomId room, Outbox outbox, StatusLeds leds, Clock clock, Duration coalesceWindow,
                     Duration detailWindow, Aup aup, Runnable sendNow, java.util.Set<String> machines) {
        this.machines = java.util.Set.copyOf(machines);
        this.room = room;
        this.outbox = outbox;
        this.leds = leds;
        this.clock = clock;
        this.coalesceWindow = coalesceWindow;
        this.detailWindow = detailWindow;
        this.aup = aup;
        this.sendNow = sendNow;
    }

    public RoomId room() {
        return room;
    }

    /** Registers a callback for any change the kiosk should show. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** A debounced press of the worry button. */
    public void press() {
        // Policy: pupils must feel their report was heard. The LED answers before any I/O.
        leds.reportPending(true);
        if (pressAsTest()) {
            return;
        }
        Event event;
        synchronized (this) {
            Instant now = clock.instant();
            buttonTest.clearScreen();
            boolean joinsOpenReport = !coalesceWindow.isZero() && report != null && report.acknowledgedAt() == null
                    && Duration.between(report.lastPress(), now).compareTo(coalesceWindow) <= 0;
            if (joinsOpenReport) {
                report = report.withPress(now);
                ObjectNode data = Json.object();
                data.put("report", report.id());
                data.put("presses", report.presses());
                event = outbox.append(EventType.WORRY_REPEATED, data);
            } else {
                ObjectNode data = Json.object();
                data.put("presses", 1);
                event = outbox.append(EventType.WORRY_REPORTED, data);
                report = new Report(event.id(), now, now, 1, false, null);
            }
        }
        log.info("worry press room={} type={} seq={}", room, event.type().wire(), event.seq());
        sendNow.run();
        changed();
    }

    /** A press in test mode: a button.tested event instead of a report, so no incident and no alert. */
    private boolean pressAsTest() {
        Event event;
        synchronized (this) {
            Optional<String> armedBy = buttonTest.consume(clock.instant());
            if (armedBy.isEmpty()) {
                return false;
            }
            event = outbox.append(EventType.BUTTON_TESTED, Json.object().put("armedBy", armedBy.get()));
            leds.reportPending(worryOpen());
        }
        log.info("button test press room={} seq={}", room, event.seq());
        sendNow.run();
        changed();
        return true;
    }

    /** The pupil's optional choice on the thank-you screen. Both fields are optional. */
    public void detail(String category, String computer) {
        if (category != null && Category.fromWire(category).isEmpty()) {
            throw new IllegalArgumentException("category must be one of the kiosk's categories, got '" + category + "'");
        }
        if (computer != null && !(computer.matches("[0-9]{1,3}") || machines.contains(computer))
                || computer != null && !haven.protocol.EventCodec.isKioskComputer(computer)) {
            // Never echo it: free text here could be a pupil's name, and the outbox feeds an append-only log.
            throw new IllegalArgumentException("computer must be the number on the machine or one of this room's machine labels");
        }
        synchronized (this) {
            if (report == null || Duration.between(report.lastPress(), clock.instant()).compareTo(detailWindow) > 0) {
                throw new IllegalStateException("there is no recent report to add detail to");
            }
            report = report.withDetail();
            ObjectNode data = Json.object();
            data.put("report", report.id());
            if (category != null) {
                data.put("category", category);
            }
            if (computer != null) {
                data.put("computer", computer);
            }
            outbox.append(EventType.WORRY_DETAILED, data);
        }
        sendNow.run();
        changed();
    }

    /** A command from the coordinator, already validated against the contract. */
    public void apply(Command command) {
        if (command.name() == CommandName.ACK) {
            String reportId = command.args().path("report").asText("");
            boolean ours;
            synchronized (this) {
                // Only the acknowledgement of the report on screen, naming the id this hub sent, tells the pupil
                // an adult has seen it: an ack for any other report (forged on an open broker, or late) changes
                // neither the screen nor the light.
                ours = report != null && report.id().equals(reportId) && report.acknowledgedAt() == null;
                if (ours) {
                    report = report.acknowledged(clock.instant());
                }
            }
            if (ours) {
                leds.reportPending(false);
            } else {
                log.info("ack for another report ignored room={} command={}", room, command.id());
            }
        }
        ObjectNode data = Json.object();
        data.put("command", command.id());
        data.put("name", command.name().wire());
        outbox.append(EventType.CMD_APPLIED, data);
        log.info("command applied room={} name={} id={}", room, command.name().wire(), command.id());
        sendNow.run();
        changed();
    }

    /** Test mode from the dashboard (cmd/test-mode): the next press within {@code minutes} is a test. */
    public synchronized void armTest(int minutes, String by) {
        buttonTest.arm(clock.instant(), minutes, by);
    }

    public void keySwitch(boolean on) {
        synchronized (this) {
            keySwitchOn = on;
            ObjectNode data = Json.object();
            data.put("on", on);
            outbox.append(EventType.SWITCH_CHANGED, data);
        }
        sendNow.run();
        changed();
    }

    /** True while the teacher's key is turned: teacher mode on the kiosk opens without the PIN then. */
    public synchronized boolean keySwitchOn() {
        return keySwitchOn;
    }

    public void connection(boolean isOnline) {
        synchronized (this) {
            online = isOnline;
        }
        leds.online(isOnline);
        changed();
    }

    public void showAup(Aup newAup) {
        synchronized (this) {
            aup = newAup;
        }
        changed();
    }

    /** A report is waiting for a trusted adult's acknowledgement. */
    public synchronized boolean worryOpen() {
        return report != null && report.acknowledgedAt() == null;
    }

    public synchronized Aup aup() {
        return aup;
    }

    public void changed() {
        listeners.forEach(Runnable::run);
    }

    /** What the kiosk shows now. The screen times out by the hub's clock, so every kiosk agrees. */
    public synchronized ObjectNode view() {
        Instant now = clock.instant();
        ObjectNode json = Json.object();
        json.put("site", room.site());
        json.put("room", room.room());
        json.put("online", online);
        json.put("unsent", outbox.unsentCount());
        Optional<String> condition = outbox.condition();
        json.put("condition", condition.isPresent() ? "saving-failed" : null);
        json.put("keySwitch", keySwitchOn);
        String screen = "idle";
        long remaining = 0;
        if (report != null) {
            if (report.acknowledgedAt() != null) {
                remaining = ACK_SCREEN.minus(Duration.between(report.acknowledgedAt(), now)).toMillis();
                screen = remaining > 0 ? "acknowledged" : "idle";
            } else {
                remaining = detailWindow.minus(Duration.between(report.lastPress(), now)).toMillis();
                screen = remaining > 0 ? "thanks" : "idle";
            }
            if (!screen.equals("idle")) {
                ObjectNode r = json.putObject("report");
                r.put("id", report.id());
                r.put("presses", report.presses());
                r.put("detailGiven", report.detailSincePress());
            }
        }
        long testRemaining = buttonTest.screenRemainingMillis(now);
        if (testRemaining > 0 && screen.equals("idle")) {
            screen = "test";
            remaining = testRemaining;
        }
        json.put("screen", screen);
        json.put("screenRemainingMs", Math.max(0, remaining));
        json.set("aup", aup.toJson());
        return json;
    }
}
