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

    /**
     * {@code 2026-12-03T09:15:02.123Z}: UTC, always three fraction digits, so times sort and compare as text. Written
     * by hand for the years 1970 to 9999 (every time Haven stores; the formatter cost a few per cent of ingest, issue
     * 20), by the formatter otherwise; {@code JsonTest} holds the two to the same text.
     */
    public static String time(Instant at) {
        long seconds = at.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return ISO_MILLIS.format(at.truncatedTo(ChronoUnit.MILLIS));
        }
        java.time.LocalDate day = java.time.LocalDate.ofEpochDay(seconds / 86_400);
        int ofDay = (int) (seconds % 86_400);
        byte[] out = new byte[24];
        digits(out, 0, day.getYear(), 4);
        out[4] = '-';
        digits(out, 5, day.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, day.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, ofDay / 3600, 2);
        out[13] = ':';
        digits(out, 14, ofDay / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, ofDay % 60, 2);
        out[19] = '.';
        digits(out, 20, at.getNano() / 1_000_000, 3);
        out[23] = 'Z';
        return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** 10000-01-01T00:00:00Z: from here on the year needs a sign and more digits, which only the formatter writes. */
    private static final long YEAR_10000 = 253_402_300_800L;

    private static void digits(byte[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Reads a time as {@link Instant#parse} does, the form {@link #time} writes without the parser (every stored
     * time is in that form; a column read per row of every list, issue 20), any other form by the parser, which
     * also makes the error for a bad one.
     */
    public static Instant readTime(CharSequence text) {
        if (text.length() == 24 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.' && text.charAt(23) == 'Z') {
            int year = number(text, 0, 4);
            int month = number(text, 5, 2);
            int day = number(text, 8, 2);
            int hour = number(text, 11, 2);
            int minute = number(text, 14, 2);
            int second = number(text, 17, 2);
            int millis = number(text, 20, 3);
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23
                    && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && millis >= 0) {
                try {
                    long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
                    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, millis * 1_000_000L);
                } catch (java.time.DateTimeException notADay) {
                    // 30 February and the like: the parser below refuses it with its own message
                }
            }
        }
        return Instant.parse(text);
    }

    /** The decimal number in {@code width} characters from {@code at}, or -1 when one of them is not a digit. */
    private static int number(CharSequence text, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            value = value * 10 + (ch - '0');
        }
        return value;
    }

    public static Instant parseTime(String field, String text) {
        try {
            return readTime(text);
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
