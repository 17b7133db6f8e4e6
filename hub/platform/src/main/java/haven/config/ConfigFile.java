package haven.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A YAML config file read with errors a technician can act on: every failure names the file and the
 * dotted key, and says what was expected and what was found.
 */
public final class ConfigFile {
    private final String name;
    private final JsonNode root;
    /** Every key a loader asked for: anything else in the file is a typo or a leftover, and is refused. */
    private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ConfigFile(String name, JsonNode root) {
        this.name = name;
        this.root = root;
    }

    public static ConfigFile load(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("config " + file + ": cannot read the file (missing or no permission)");
        }
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw new ConfigException("config " + file + ": the file is empty");
            }
            if (!root.isObject()) {
                throw new ConfigException("config " + file + ": the top level must be a mapping of keys");
            }
            return new ConfigFile(file.toString(), root);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("unreadable");
            // The technician needs the line to look at, not the parser's internals.
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException parse && parse.getLocation() != null
                    ? " at line " + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr()
                    : "";
            throw new ConfigException("config " + file + ": not valid YAML" + where + ": " + msg);
        }
    }

    /** For settings built in code (the demo, tests): same checks, no file. */
    public static ConfigFile of(String name, JsonNode root) {
        return new ConfigFile(name, root);
    }

    public String name() {
        return name;
    }

    private JsonNode at(String key) {
        known.add(key);
        JsonNode node = root;
        for (String part : key.split("\\.")) {
            node = node == null ? MissingNode.getInstance() : node.path(part);
        }
        return node;
    }

    public ConfigException error(String key, String expected) {
        JsonNode found = at(key);
        String got = found.isMissingNode() ? "nothing" : found.toString();
        return new ConfigException("config " + name + ": " + key + " must be " + expected + ", got " + got);
    }

    public String string(String key) {
        return optionalString(key).orElseThrow(() -> error(key, "set (a text value)"));
    }

    public String string(String key, String fallback) {
        return optionalString(key).orElse(fallback);
    }

    public Optional<String> optionalString(String key) {
        JsonNode node = at(key);
        // An empty value means "not set", so sample files can show a key without choosing for the school.
        if (node.isMissingNode() || node.isNull() || node.isTextual() && node.asText().isBlank()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            throw error(key, "a text value");
        }
        return Optional.of(node.asText());
    }

    public int integer(String key, int fallback, int min, int max) {
        JsonNode node = at(key);
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < min || node.asInt() > max) {
            throw error(key, "a whole number " + min + ".." + max);
        }
        return node.asInt();
    }

    public boolean bool(String key, boolean fallback) {
        JsonNode node = at(key);
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw error(key, "true or false");
        }
        return node.asBoolean();
    }

    public JsonNode node(String key) {
        return at(key);
    }

    /**
     * Fails on the first key in the file that no loader asked for, naming it and the keys it may have
     * meant. Call after reading everything: a misspelt key must not silently fall back to a default.
     */
    public void rejectUnknownKeys() {
        java.util.List<String> present = new java.util.ArrayList<>();
        collect("", root, present);
        for (String key : present) {
            if (!known.contains(key)) {
                String parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.') + 1) : "";
                java.util.List<String> siblings = known.stream()
                        .filter(k -> k.startsWith(parent) && k.indexOf('.', parent.length()) < 0)
                        .sorted().toList();
                throw new ConfigException("config " + name + ": unknown key '" + key + "'"
                        + (siblings.isEmpty() ? "" : "; known keys here: " + String.join(", ", siblings)));
            }
        }
    }

    /** Leaf keys (lists count as one value) in dotted form. */
    private static void collect(String prefix, JsonNode node, java.util.List<String> out) {
        if (!node.isObject()) {
            out.add(prefix);
            return;
        }
        node.fieldNames().forEachRemaining(name -> collect(prefix.isEmpty() ? name : prefix + "." + name, node.get(name), out));
    }

    /** Runs a check that may throw IllegalArgumentException and rewrites its message to name file and key. */
    public <T> T checked(String key, java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config " + name + ": " + key + ": " + e.getMessage());
        }
    }
}
