package haven.classroom;

import haven.protocol.Command;
import haven.protocol.RoomId;
import haven.protocol.SignatureVerifier;
import haven.protocol.SignatureVerifier.Reason;
import haven.protocol.SignatureVerifier.Refused;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the hub lets through from the coordinator's topics (docs/SECURITY.md, "Signed commands"). A hub's broker
 * password sits on a classroom Pi and the demo broker is anonymous, so the broker cannot tell the coordinator from
 * anyone else: a command is acted on only with the coordinator's signature over its topic and payload, a time
 * within {@link #WINDOW} of the hub's clock, and an id never acted on before. The retained site messages the hub
 * acts on (AUP, filter targets, chain head) must be signed too; being retained they are old by nature, so only
 * their signature is checked. A refusal is counted and logged by topic and reason, never by a payload value.
 *
 * <p>With no key ({@code coordinator.unsignedCommands: true} in hub.yaml) everything passes, as before signing.
 */
public final class CommandGate {
    private static final Logger log = LoggerFactory.getLogger(CommandGate.class);
    /** How far a command's time may be from the hub's clock: covers NTP drift and a broker's QoS 1 redelivery. */
    public static final Duration WINDOW = Duration.ofMinutes(10);

    private final RoomId room;
    private final Optional<SignatureVerifier> verifier;
    private final SeenCommands seen;
    private final Clock clock;
    private final Map<Reason, AtomicLong> refused = new EnumMap<>(Reason.class);

    public CommandGate(RoomId room, Optional<SignatureVerifier> verifier, SeenCommands seen, Clock clock) {
        this.room = room;
        this.verifier = verifier;
        this.seen = seen;
        this.clock = clock;
        for (Reason r : Reason.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    /** The command to act on, or empty if it is refused (then counted and logged, and nothing else happens). */
    public Optional<Command> command(String topic, byte[] payload) {
        if (verifier.isEmpty()) {
            try {
                return Optional.of(Command.decode(topic, haven.protocol.SignedPayload.withoutSignature(payload)));
            } catch (IllegalArgumentException e) {
                return refuse(topic, Reason.INVALID, e.getMessage());
            }
        }
        try {
            Command command = Command.decode(topic, verifier.get().verify(topic, payload));
            Instant now = clock.instant();
            if (command.at().isBefore(now.minus(WINDOW)) || command.at().isAfter(now.plus(WINDOW))) {
                return refuse(topic, Reason.STALE, null);
            }
            if (!seen.first(command.id(), command.at())) {
                return refuse(topic, Reason.REPLAYED, null);
            }
            return Optional.of(command);
        } catch (Refused e) {
            return refuse(topic, e.reason(), null);
        } catch (IllegalArgumentException e) {
            return refuse(topic, Reason.INVALID, e.getMessage());
        } catch (SQLException e) {
            // Without the record of seen ids a replay could not be told apart: refuse rather than guess.
            return refuse(topic, Reason.REPLAYED, "seen ids unreadable: " + e.getMessage());
        }
    }

    /** A retained site message's payload without its signature, or empty if refused. */
    public Optional<byte[]> siteMessage(String topic, byte[] payload) {
        if (verifier.isEmpty()) {
            return Optional.of(haven.protocol.SignedPayload.withoutSignature(payload));
        }
        try {
            return Optional.of(verifier.get().verify(topic, payload));
        } catch (Refused e) {
            return refuse(topic, e.reason(), null);
        }
    }

    /** Refusals so far by reason word, for haven_commands_refused_total{reason}. */
    public Map<String, Long> refusedByReason() {
        Map<String, Long> out = new LinkedHashMap<>();
        refused.forEach((reason, n) -> out.put(reason.word(), n.get()));
        return out;
    }

    public long refused(Reason reason) {
        return refused.get(reason).get();
    }

    private <T> Optional<T> refuse(String topic, Reason reason, String detail) {
        refused.get(reason).incrementAndGet();
        // ContractViolation's messages name a field, never its value; signature refusals name only the reason.
        if (detail == null) {
            log.warn("message refused room={} topic={} reason={}", room, topic, reason.word());
        } else {
            log.warn("message refused room={} topic={} reason={} detail={}", room, topic, reason.word(), detail);
        }
        return Optional.empty();
    }
}
