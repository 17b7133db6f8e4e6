package haven.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * How a hub is, in its retained status ({@code hub.health}): whether its clock is synchronised (a Pi has no
 * real-time clock, so after a power cut without network its time can be days out), the disk space left for the
 * outbox, how many events wait in it, how long the system has been up, and the CPU temperature where /sys has it.
 */
public record HubHealth(boolean clockSynced, long diskFreeBytes, long outboxDepth, long uptimeSeconds,
                        Optional<Double> cpuTemperatureCelsius) {
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("clockSynced", clockSynced);
        o.put("diskFreeBytes", diskFreeBytes);
        o.put("outboxDepth", outboxDepth);
        o.put("uptimeSeconds", uptimeSeconds);
        cpuTemperatureCelsius.ifPresent(t -> o.put("cpuTemperatureCelsius", Math.round(t * 10) / 10.0));
        return o;
    }

    public static Optional<HubHealth> fromJson(JsonNode o) {
        if (o == null || o.isMissingNode() || o.isNull()) {
            return Optional.empty();
        }
        if (!o.isObject()) {
            throw new ContractViolation("field 'hub.health' must be an object");
        }
        Json.onlyFields(o, "hub.health.", List.of("clockSynced", "diskFreeBytes", "outboxDepth", "uptimeSeconds", "cpuTemperatureCelsius"));
        if (!o.path("clockSynced").isBoolean()) {
            throw new ContractViolation("field 'hub.health.clockSynced' must be true or false");
        }
        for (String f : List.of("diskFreeBytes", "outboxDepth", "uptimeSeconds")) {
            if (!o.path(f).isIntegralNumber() || o.path(f).asLong() < 0) {
                throw new ContractViolation("field 'hub.health." + f + "' must be a whole number, 0 or more");
            }
        }
        JsonNode t = o.path("cpuTemperatureCelsius");
        if (!t.isMissingNode() && !t.isNumber()) {
            throw new ContractViolation("field 'hub.health.cpuTemperatureCelsius' must be a number");
        }
        return Optional.of(new HubHealth(o.get("clockSynced").asBoolean(), o.get("diskFreeBytes").asLong(),
                o.get("outboxDepth").asLong(), o.get("uptimeSeconds").asLong(), t.isNumber() ? Optional.of(t.asDouble()) : Optional.empty()));
    }
}
