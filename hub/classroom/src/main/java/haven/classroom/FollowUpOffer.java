package haven.classroom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.outbox.Outbox;
import haven.protocol.EventType;
import haven.protocol.FollowUpCode;
import haven.protocol.Json;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "I want to talk to someone": gives the pupil a follow-up code for the report on screen, shows it for
 * {@link #SHOWN} and never again. The code itself stays in this object's memory while shown; the outbox
 * gets only its keyed hash ({@code worry.follow-up}), so staff can find the report when the pupil tells
 * the code to a trusted adult (docs/KIOSK.md).
 */
public final class FollowUpOffer {
    private static final Logger log = LoggerFactory.getLogger(FollowUpOffer.class);
    static final Duration SHOWN = Duration.ofSeconds(20);
    private static final int REMEMBERED_REPORTS = 64;

    private final Optional<String> key;
    private final Outbox outbox;
    private final Clock clock;
    private final Runnable sendNow;
    private final SecureRandom random = new SecureRandom();
    private final Deque<String> offered = new ArrayDeque<>();
    private FollowUpCode shown;
    private Instant shownUntil;
    private String shownFor;

    /** The school's follow-up key (hub.yaml followUp.key); without one the kiosk offers no code. */
    public FollowUpOffer(Optional<String> key, Outbox outbox, Clock clock, Runnable sendNow) {
        key.ifPresent(k -> new FollowUpCode("owl", "fox").hash(k)); // a key too short fails here, at start-up
        this.key = key;
        this.outbox = outbox;
        this.clock = clock;
        this.sendNow = sendNow;
    }

    public boolean available() {
        return key.isPresent();
    }

    /**
     * Issues the code for the report on screen; refused if this report already had one. {@code presses}
     * names the press it was asked after: the next press may be another pupil, who must never see it.
     */
    public void issue(String reportId, long presses) {
        if (key.isEmpty()) {
            throw new IllegalStateException("follow-up codes are not set up on this hub (hub.yaml followUp.key)");
        }
        synchronized (this) {
            if (offered.contains(reportId)) {
                throw new IllegalStateException("this report already had its follow-up code; it is shown only once");
            }
            FollowUpCode code = FollowUpCode.random(random);
            ObjectNode data = Json.object();
            data.put("report", reportId);
            data.put("codeHash", code.hash(key.get()));
            var event = outbox.append(EventType.WORRY_FOLLOW_UP, data);
            offered.addLast(reportId);
            if (offered.size() > REMEMBERED_REPORTS) {
                offered.removeFirst();
            }
            shown = code;
            shownUntil = clock.instant().plus(SHOWN);
            shownFor = reportId + ":" + presses;
            log.info("follow-up code issued seq={}", event.seq());
        }
        sendNow.run();
    }

    /** Adds the code to the kiosk's view while it is shown; after that it is forgotten. */
    public synchronized ObjectNode shape(ObjectNode view) {
        view.put("followUp", key.isPresent());
        String report = view.path("report").path("id").asText(null);
        view.put("followUpAsked", report != null && offered.contains(report));
        if (shown != null) {
            long remaining = Duration.between(clock.instant(), shownUntil).toMillis();
            String onScreen = report + ":" + view.path("report").path("presses").asLong();
            if (remaining > 0 && onScreen.equals(shownFor)) {
                view.put("followUpCode", shown.text());
                view.put("followUpRemainingMs", remaining);
            } else {
                shown = null;
                shownUntil = null;
                shownFor = null;
            }
        }
        return view;
    }
}
