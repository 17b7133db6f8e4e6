package haven.classroom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.outbox.Outbox;
import haven.protocol.EventType;
import haven.protocol.Json;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teacher mode on the classroom screen (docs/KIOSK.md): opened with the room's PIN ({@code kiosk.teacherPin})
 * or while the teacher's key is turned, for a few minutes, to record "We went through the AUP together today".
 * The seeds ask that pupils "know how to report ... and know what action to take", and governors review
 * monitoring: each review is an {@code aup.reviewed} event through the outbox (which AUP, never who was in
 * the room). Wrong PINs are limited to {@value #MAX_WRONG} per {@link #WRONG_WINDOW}, in memory: the kiosk
 * is on 127.0.0.1, so the only guesser is a person at the screen.
 */
public final class TeacherMode {
    private static final Logger log = LoggerFactory.getLogger(TeacherMode.class);
    static final int MAX_WRONG = 5;
    static final Duration WRONG_WINDOW = Duration.ofMinutes(15);
    static final Duration OPEN_FOR = Duration.ofMinutes(5);

    private final Optional<TeacherPin> pin;
    private final BooleanSupplier keyTurned;
    private final Outbox outbox;
    private final Clock clock;
    private final Runnable sendNow;
    private final SecureRandom random = new SecureRandom();
    private final Deque<Instant> wrong = new ArrayDeque<>();
    private String token;
    private Instant openUntil = Instant.EPOCH;

    public TeacherMode(Optional<TeacherPin> pin, BooleanSupplier keyTurned, Outbox outbox, Clock clock, Runnable sendNow) {
        this.pin = pin;
        this.keyTurned = keyTurned;
        this.outbox = outbox;
        this.clock = clock;
        this.sendNow = sendNow;
    }

    /** What opening teacher mode answered: a status for the kiosk's HTTP answer and, on success, the token. */
    public record Opened(int status, String reason, Optional<String> token) {
    }

    public synchronized Opened open(String typedPin) {
        Instant now = clock.instant();
        while (!wrong.isEmpty() && wrong.peekFirst().isBefore(now.minus(WRONG_WINDOW))) {
            wrong.removeFirst();
        }
        boolean byKey = keyTurned.getAsBoolean();
        if (!byKey) {
            if (pin.isEmpty()) {
                return new Opened(403, "turn the key, or set kiosk.teacherPin in hub.yaml", Optional.empty());
            }
            if (typedPin == null || typedPin.isEmpty()) {
                return new Opened(403, "enter the PIN, or turn the key", Optional.empty());
            }
            if (wrong.size() >= MAX_WRONG) {
                return new Opened(429, "too many wrong PINs: wait 15 minutes or turn the key", Optional.empty());
            }
            if (!pin.get().matches(typedPin)) {
                wrong.addLast(now);
                log.info("teacher mode refused reason=wrong-pin wrongInWindow={}", wrong.size());
                return new Opened(403, "wrong PIN", Optional.empty());
            }
        }
        wrong.clear();
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        token = HexFormat.of().formatHex(bytes);
        openUntil = now.plus(OPEN_FOR);
        log.info("teacher mode opened by={}", byKey ? "key" : "pin");
        return new Opened(200, "open", Optional.of(token));
    }

    public synchronized boolean isOpen(String presented) {
        return token != null && token.equals(presented) && clock.instant().isBefore(openUntil);
    }

    public synchronized void close() {
        token = null;
        openUntil = Instant.EPOCH;
    }

    /** Records that the class went through this AUP today; false when teacher mode is not open with this token. */
    public boolean reviewed(String presented, Aup aup, String language) {
        synchronized (this) {
            if (!isOpen(presented)) {
                return false;
            }
            ObjectNode data = Json.object().put("keyStage", aup.keyStage()).put("version", aup.version()).put("language", language);
            outbox.append(EventType.AUP_REVIEWED, data);
        }
        sendNow.run();
        log.info("aup reviewed keyStage={} version={} language={}", aup.keyStage(), aup.version(), language);
        return true;
    }
}
