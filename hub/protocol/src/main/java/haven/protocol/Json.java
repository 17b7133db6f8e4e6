package haven.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** JSON helpers shared by the codecs: one configured mapper, ISO-8601 UTC with millis, canonical form. */
public final class Json {
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /**
     * Immutable once built; ObjectMapper is thread-safe for reading and writing trees and records. A record's
     * {@link Instant} is written exactly as {@link #time(Instant)} writes it, so a response body declared as a record
     * reads the same on the wire as the tree it replaced.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new SimpleModule("haven-times")
            .addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
                @Override
                public void serialize(Instant at, JsonGenerator out, SerializerProvider provider) throws IOException {
                    out.writeString(time(at));
                }
            }));

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    public static String time(Instant at) {
        return ISO_MILLIS.format(at.truncatedTo(ChronoUnit.MILLIS));
    }

    public static Instant parseTime(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException | NullPointerException e) {
            throw new ContractViolation("field '" + field + "' must be an ISO-8601 UTC time");
        }
    }

    public static JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new ContractViolation("payload is empty");
            }
            return node;
        } catch (IOException e) {
            // Jackson's message quotes the text it choked on, which may be a pupil's name: say only where.
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null
                    ? " (line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")" : "";
            throw new ContractViolation("payload is not JSON" + where);
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A response body declared as a record (or a list of them): its components in order, times as {@link #time}. */
    public static String writeValue(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keys sorted at every level: the form the coordinator's hash chain is computed over. */
    public static String canonical(JsonNode node) {
        return write(sorted(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = object();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(String::compareTo);
            for (String name : names) {
                out.set(name, sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = array();
            node.forEach(child -> out.add(sorted(child)));
            return out;
        }
        return node;
    }

    public static String requireText(JsonNode parent, String field, int maxLength) {
        JsonNode value = parent.get(leaf(field));
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new ContractViolation("field '" + field + "' is missing or not a string");
        }
        if (value.asText().length() > maxLength) {
            throw new ContractViolation("field '" + field + "' is longer than " + maxLength + " characters");
        }
        return value.asText();
    }

    public static ObjectNode requireObject(JsonNode parent, String field) {
        JsonNode value = parent.get(leaf(field));
        if (value == null || !value.isObject()) {
            throw new ContractViolation("field '" + field + "' is missing or not an object");
        }
        return (ObjectNode) value;
    }

    public static long requirePositiveLong(JsonNode parent, String field) {
        JsonNode value = parent.get(leaf(field));
        if (value == null || !value.isIntegralNumber() || value.asLong() < 1 || !value.canConvertToLong()) {
            throw new ContractViolation("field '" + field + "' must be a positive integer");
        }
        return value.asLong();
    }

    /** Fails on any field not in the allowed list, so a typo or an injected field never passes quietly. */
    public static void onlyFields(JsonNode object, String where, List<String> allowed) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!allowed.contains(name)) {
                // A field's name is shown only when it looks like one: a name could be the pupil's own.
                throw new ContractViolation(name.matches("[A-Za-z][A-Za-z0-9_]{0,40}")
                        ? "unknown field '" + where + name + "'" : "unknown field in '" + (where.isEmpty() ? "payload" : where) + "'");
            }
        }
    }

    private static String leaf(String dotted) {
        int dot = dotted.lastIndexOf('.');
        return dot < 0 ? dotted : dotted.substring(dot + 1);
    }

}
