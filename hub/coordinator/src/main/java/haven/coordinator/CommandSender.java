package haven.coordinator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.mqtt.MqttLink;
import haven.protocol.Command;
import haven.protocol.CommandName;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import haven.protocol.UuidV7;
import java.time.Clock;
import haven.mqtt.PublishFailed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends commands to hubs (QoS 1). The hub answers each with a cmd.applied event, which is the receipt. */
public final class CommandSender {
    private static final Logger log = LoggerFactory.getLogger(CommandSender.class);

    private final MqttLink mqtt;
    private final UuidV7 ids;
    private final Clock clock;

    private final java.util.function.Supplier<java.util.Optional<haven.protocol.ChainHead>> head;
    private final haven.protocol.CoordinatorSigner signer;

    public CommandSender(MqttLink mqtt, UuidV7 ids, Clock clock, haven.protocol.CoordinatorSigner signer) {
        this(mqtt, ids, clock, java.util.Optional::empty, signer);
    }

    /**
     * Every command carries the evidence chain's head, which the hub keeps as a witness (docs/EVIDENCE.md), and
     * the coordinator's signature over topic and payload: the broker cannot tell the coordinator from a hub whose
     * password was read off its SD card, or from anyone on the anonymous demo broker (docs/SECURITY.md).
     */
    public CommandSender(MqttLink mqtt, UuidV7 ids, Clock clock,
                         java.util.function.Supplier<java.util.Optional<haven.protocol.ChainHead>> head,
                         haven.protocol.CoordinatorSigner signer) {
        this.signer = signer;
        this.mqtt = mqtt;
        this.ids = ids;
        this.clock = clock;
        this.head = head;
    }

    /** Returns false if the broker is unreachable; the caller tells the member of staff. */
    public boolean send(RoomId room, CommandName name, StaffSession by, ObjectNode args) {
        ObjectNode withHead = args.deepCopy();
        head.get().ifPresent(h -> withHead.set(haven.protocol.ChainHead.COMMAND_FIELD, h.toJson()));
        Command command = new Command(ids.next().toString(), clock.instant(), name, by.role().wire(), by.name(), withHead);
        try {
            String topic = Topics.command(room, name);
            mqtt.publish(topic, signer.sign(topic, command.encode()), false);
            log.info("command sent room={} name={} id={} by={}", room, name.wire(), command.id(), by.name());
            return true;
        } catch (PublishFailed e) {
            log.warn("command not sent room={} name={} reason={}", room, name.wire(), e.getMessage());
            return false;
        }
    }
}
