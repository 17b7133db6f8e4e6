package haven.classroom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.gpio.StatusLeds;
import haven.classroom.isolation.IsolationResult;
import haven.classroom.isolation.IsolationService;
import haven.classroom.isolation.Machine;
import haven.classroom.isolation.ManualIsolator;
import haven.classroom.outbox.Outbox;
import haven.protocol.EventType;
import haven.protocol.Json;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher's panic-isolate: the key (or cmd/isolate) opens a short window to tap the suspicious
 * computer on the kiosk; no choice isolates every pupil computer of the room. Policy: "isolate the
 * computer as best you can; any change to its state may hinder a later police investigation" — so only
 * its network traffic is cut, and the screen tells the teacher not to touch it. Turning the key back
 * releases nothing: release comes only as cmd/release after two senior sign-offs.
 */
public final class IsolationFlow implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IsolationFlow.class);
    private static final int MAX_EVIDENCE = 2000;
    private static final Duration NOTICE = Duration.ofMinutes(2);

    /** What the kiosk shows about one isolated computer. */
    private record Shown(Machine machine, String backend, boolean applied, boolean verified, String failure, Instant at) {
        boolean manual() {
            return !applied;
        }
    }

    private final IsolationService service;
    private final List<Machine> computers;
    private final Outbox outbox;
    private final StatusLeds leds;
    private final Clock clock;
    private final Duration chooseWindow;
    private final Runnable sendNow;
    private final Runnable changed;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "isolation-timer");
        t.setDaemon(true);
        return t;
    });
    // Backends block (nft, HTTP retries): never on a GPIO, HTTP or MQTT callback thread.
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "isolation-worker");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Shown> active = new LinkedHashMap<>();
    private Instant choosingUntil;
    private String trigger;
    private ScheduledFuture<?> timeout;

    public IsolationFlow(IsolationService service, List<Machine> computers, Outbox outbox, StatusLeds leds, Clock clock,
                         Duration chooseWindow, Runnable sendNow, Runnable changed) {
        this.service = service;
        this.computers = List.copyOf(computers);
        this.outbox = outbox;
        this.leds = leds;
        this.clock = clock;
        this.chooseWindow = chooseWindow;
        this.sendNow = sendNow;
        this.changed = changed;
    }

    /** At hub start: a reboot must not silently release a machine. */
    public void reapplyAtStart() {
        try {
            for (IsolationResult result : service.reapplyActive()) {
                remember(result);
                emitResult(result);
            }
        } catch (SQLException e) {
            log.error("isolations could not be re-applied at start reason={}", e.getMessage());
        }
        refreshLed();
    }

    /** The key was turned (or the coordinator asked): let the teacher choose the computer. */
    public void begin(String by) {
        if (computers.isEmpty()) {
            log.warn("isolation requested but no computers are configured for this room by={}", by);
        }
        synchronized (this) {
            trigger = by;
            choosingUntil = clock.instant().plus(chooseWindow);
            if (timeout != null) {
                timeout.cancel(false);
            }
            timeout = timer.schedule(this::chooseNothing, chooseWindow.toMillis(), TimeUnit.MILLISECONDS);
        }
        touch();
    }

    /** The teacher tapped a computer on the kiosk (or a command named one). */
    public void choose(String machineName) {
        Machine machine = computers.stream().filter(m -> m.name().equals(machineName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no computer called '" + machineName + "' in this room"));
        String by;
        synchronized (this) {
            by = trigger == null ? "kiosk" : trigger;
            stopChoosing();
        }
        isolate(List.of(machine), by);
    }

    /** Twenty seconds passed without a choice: every pupil computer of the room, as docs/ISOLATION.md says. */
    private void chooseNothing() {
        String by;
        synchronized (this) {
            if (choosingUntil == null) {
                return;
            }
            by = trigger;
            stopChoosing();
        }
        log.info("no computer chosen in time, isolating every pupil computer count={}", computers.size());
        isolate(computers, by);
    }

    /** Call holding the lock; the caller tells the kiosk after letting go of it. */
    private void stopChoosing() {
        choosingUntil = null;
        trigger = null;
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    private void isolate(List<Machine> machines, String by) {
        touch();
        for (Machine m : machines) {
            ObjectNode data = machineData(m);
            data.put("trigger", by);
            outbox.append(EventType.ISOLATION_REQUESTED, data);
        }
        sendNow.run();
        worker.execute(() -> {
            for (Machine m : machines) {
                IsolationResult result;
                try {
                    result = service.isolate(m);
                } catch (SQLException | RuntimeException e) {
                    result = IsolationResult.notApplied(m, "unknown", "", "could not record or apply: " + e.getMessage());
                }
                remember(result);
                emitResult(result);
            }
            refreshLed();
        });
    }

    /** cmd/release from the coordinator, sent only after two senior staff signed off. */
    public void release(String machineName) {
        Machine machine;
        synchronized (this) {
            Shown shown = active.get(machineName);
            machine = shown != null ? shown.machine()
                    : computers.stream().filter(m -> m.name().equals(machineName)).findFirst().orElse(null);
        }
        if (machine == null) {
            throw new IllegalArgumentException("no isolated computer called '" + machineName + "'");
        }
        worker.execute(() -> {
            try {
                IsolationResult result = service.release(machine);
                ObjectNode data = machineData(machine);
                data.put("backend", result.backend());
                if (result.applied() || ManualIsolator.BACKEND.equals(result.backend())) {
                    synchronized (this) {
                        active.remove(machine.name());
                    }
                    outbox.append(EventType.ISOLATION_RELEASED, data);
                } else {
                    data.put("reason", "release failed: " + result.failure());
                    outbox.append(EventType.ISOLATION_FAILED, data);
                }
            } catch (SQLException e) {
                log.error("release could not be recorded machine={} reason={}", machine.name(), e.getMessage());
            }
            sendNow.run();
            refreshLed();
        });
    }

    private void remember(IsolationResult result) {
        synchronized (this) {
            active.put(result.machine().name(), new Shown(result.machine(), result.backend(), result.applied(),
                    result.verified(), result.failure(), clock.instant()));
        }
        touch();
    }

    private void emitResult(IsolationResult result) {
        ObjectNode data = machineData(result.machine());
        data.put("backend", result.backend());
        if (result.applied()) {
            data.put("handle", cut(result.handle()));
            data.put("verified", result.verified());
            data.put("evidence", cut(result.evidence()));
            outbox.append(EventType.ISOLATION_APPLIED, data);
        } else if (ManualIsolator.BACKEND.equals(result.backend())) {
            // Manual is the plan, not a failure: the teacher is told to unplug the cable.
            data.put("handle", "manual");
            data.put("verified", false);
            data.put("evidence", "kiosk told the teacher to unplug the network cable and not to switch the computer off");
            outbox.append(EventType.ISOLATION_APPLIED, data);
        } else {
            data.put("reason", cut(result.failure()));
            outbox.append(EventType.ISOLATION_FAILED, data);
        }
        log.info("isolation result machine={} backend={} applied={} verified={}", result.machine().name(),
                result.backend(), result.applied(), result.verified());
        sendNow.run();
    }

    private static ObjectNode machineData(Machine m) {
        ObjectNode data = Json.object();
        data.put("machine", m.name());
        data.put("mac", m.mac());
        data.put("ip", m.ip());
        return data;
    }

    private static String cut(String text) {
        return text == null ? "" : text.length() > MAX_EVIDENCE ? text.substring(0, MAX_EVIDENCE) : text;
    }

    private void refreshLed() {
        boolean any;
        synchronized (this) {
            any = !active.isEmpty();
        }
        leds.isolationActive(any);
        touch();
    }

    /** Tells the kiosk; never called while holding this object's lock (the view takes other locks). */
    private void touch() {
        changed.run();
    }

    public synchronized List<String> activeNames() {
        return new ArrayList<>(active.keySet());
    }

    public synchronized Optional<Instant> choosingUntil() {
        return Optional.ofNullable(choosingUntil);
    }

    /** The kiosk's part: the chooser while open, then what is isolated and what the teacher must do. */
    public synchronized ObjectNode view() {
        Instant now = clock.instant();
        ObjectNode json = Json.object();
        if (choosingUntil != null) {
            ObjectNode choosing = json.putObject("choosing");
            choosing.put("remainingMs", Math.max(0, Duration.between(now, choosingUntil).toMillis()));
            ArrayNode list = choosing.putArray("computers");
            computers.forEach(m -> list.add(m.name()));
        }
        ArrayNode list = json.putArray("active");
        for (Shown s : active.values()) {
            ObjectNode item = list.addObject();
            item.put("machine", s.machine().name());
            item.put("backend", s.backend());
            item.put("manual", s.manual());
            item.put("verified", s.verified());
            item.put("recent", Duration.between(s.at(), now).compareTo(NOTICE) < 0);
        }
        return json;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
