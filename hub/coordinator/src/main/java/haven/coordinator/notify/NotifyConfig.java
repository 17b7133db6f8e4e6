package haven.coordinator.notify;

import com.fasterxml.jackson.databind.JsonNode;
import haven.config.ConfigException;
import haven.config.ConfigFile;
import haven.protocol.Category;
import haven.protocol.Ids;
import haven.protocol.RoomId;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The notify: section of coordinator.yaml (firmware-config/coordinator.yaml documents each key): who is
 * reached, over which channels, in which order, and when. Every reference is checked when the file is read,
 * so a ladder naming a contact nobody configured fails at start-up, not at the moment a pupil needs help.
 */
public record NotifyConfig(URI dashboardUrl, Optional<SmtpSettings> smtp, Map<String, WebhookSettings> webhooks,
                           Map<String, Contact> contacts, Map<AlertKind, List<Step>> ladders,
                           Map<AlertKind, List<Step>> outOfHours, Optional<SchoolHours> schoolHours,
                           Set<Category> urgentCategories, Map<RoomId, String> roomNames, int attempts, Duration backoff,
                           Optional<Push> push, Duration hubOffline) {

    /** Web Push: who the push services may contact about our traffic (VAPID "sub"), and how long a message may wait. */
    public record Push(String subject, Duration ttl) {
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})\\s*(s|m|h)");
    private static final List<String> STEP_FIELDS = List.of("after", "contacts");
    private static final List<String> CONTACT_FIELDS = List.of("staff", "email", "push", "webhooks");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s,<>]+@[^@\\s,<>]+");

    public NotifyConfig {
        webhooks = Map.copyOf(webhooks);
        contacts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(contacts));
        ladders = Map.copyOf(ladders);
        outOfHours = Map.copyOf(outOfHours);
        urgentCategories = Set.copyOf(urgentCategories);
        roomNames = Map.copyOf(roomNames);
        if (!ladders.containsKey(AlertKind.WORRY)) {
            throw new IllegalArgumentException("ladders.worry is required: the ladder for a new worry");
        }
    }

    /**
     * The steps for an alert of this kind starting now: out of hours the out-of-hours ladder when there is one.
     * A kind other than a worry is alerted only when the school wrote a ladder for it (empty otherwise): a
     * failed filter check or an offline hub is not for whoever the worry ladder names unless the school says so,
     * and out of hours it falls back to its own day ladder, never to the on-call worry one.
     */
    public List<Step> ladder(AlertKind kind, boolean schoolOpen) {
        if (!kind.isWorry()) {
            List<Step> own = schoolOpen ? null : outOfHours.get(kind);
            return own != null ? own : ladders.getOrDefault(kind, List.of());
        }
        if (!schoolOpen) {
            List<Step> night = outOfHours.get(kind);
            if (night == null && kind != AlertKind.WORRY) {
                night = outOfHours.get(AlertKind.WORRY);
            }
            if (night != null) {
                return night;
            }
        }
        return ladders.getOrDefault(kind, ladders.get(AlertKind.WORRY));
    }

    /** The room's name as staff know it, or its id. */
    public String roomName(RoomId room) {
        return roomNames.getOrDefault(room, room.room());
    }

    /** notify: from coordinator.yaml, or empty when the file has no notify: section. */
    public static Optional<NotifyConfig> from(ConfigFile file) {
        JsonNode root = file.node("notify");
        if (root.isMissingNode() || root.isNull()) {
            return Optional.empty();
        }
        if (!root.isObject()) {
            throw file.error("notify", "a mapping (dashboardUrl, smtp, contacts, ladders, ...)");
        }
        URI dashboard = uri(file, "notify.dashboardUrl", file.string("notify.dashboardUrl"));
        Optional<SmtpSettings> smtp = smtp(file);
        Map<String, WebhookSettings> webhooks = webhooks(file);
        Optional<Push> push = file.optionalString("notify.push.subject").map(subject -> {
            if (!subject.startsWith("mailto:") && !subject.startsWith("https://")) {
                throw file.error("notify.push.subject", "a mailto: or https:// contact for the push services (RFC 8292)");
            }
            return new Push(subject, Duration.ofSeconds(file.integer("notify.push.ttlSeconds", 3600, 60, 86400)));
        });
        if (push.isEmpty() && !file.node("notify.push").isMissingNode()) {
            throw file.error("notify.push.subject", "set when notify.push is (a mailto: or https:// contact)");
        }
        Map<String, Contact> contacts = contacts(file, smtp.isPresent(), push.isPresent(), webhooks.keySet());
        Map<AlertKind, List<Step>> ladders = ladders(file, "notify.ladders", contacts.keySet());
        Map<AlertKind, List<Step>> outOfHours = ladders(file, "notify.outOfHours", contacts.keySet());
        Optional<SchoolHours> hours = schoolHours(file);
        if (!outOfHours.isEmpty() && hours.isEmpty()) {
            throw file.error("notify.schoolHours", "set when notify.outOfHours is (the out-of-hours ladder needs the school's hours)");
        }
        return Optional.of(file.checked("notify.ladders", () -> new NotifyConfig(dashboard, smtp, webhooks, contacts, ladders,
                outOfHours, hours, urgent(file), roomNames(file),
                file.integer("notify.retry.attempts", 3, 1, 10),
                Duration.ofSeconds(file.integer("notify.retry.backoffSeconds", 30, 1, 3600)), push,
                Duration.ofMinutes(file.integer("notify.hubOfflineMinutes", 10, 1, 1440)))));
    }

    /** "20s", "10m", "1h" or "0". */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration must look like 20s, 10m or 1h, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static URI uri(ConfigFile file, String key, String text) {
        try {
            URI uri = new URI(text);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw file.error(key, "an http:// or https:// address");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw file.error(key, "an http:// or https:// address");
        }
    }

    private static Optional<SmtpSettings> smtp(ConfigFile file) {
        Optional<String> host = file.optionalString("notify.smtp.host");
        String securityText = file.string("notify.smtp.security", "starttls");
        SmtpSettings.Security security = switch (securityText) {
            case "starttls" -> SmtpSettings.Security.STARTTLS;
            case "tls" -> SmtpSettings.Security.TLS;
            case "none" -> SmtpSettings.Security.NONE;
            default -> throw file.error("notify.smtp.security", "starttls, tls or none");
        };
        int port = file.integer("notify.smtp.port", security.defaultPort(), 1, 65535);
        Optional<String> user = file.optionalString("notify.smtp.username");
        Optional<String> password = file.optionalString("notify.smtp.password");
        Optional<String> from = file.optionalString("notify.smtp.from");
        int timeout = file.integer("notify.smtp.timeoutSeconds", 10, 1, 120);
        if (host.isEmpty()) {
            if (from.isPresent() || user.isPresent()) {
                throw file.error("notify.smtp.host", "set when notify.smtp has other keys");
            }
            return Optional.empty();
        }
        if (from.isEmpty() || !EMAIL.matcher(from.get()).matches()) {
            throw file.error("notify.smtp.from", "the sender's e-mail address");
        }
        if (user.isPresent() != password.isPresent()) {
            throw file.error(user.isPresent() ? "notify.smtp.password" : "notify.smtp.username", "set together with the other (SMTP login)");
        }
        if (user.isPresent() && security == SmtpSettings.Security.NONE && !isLoopback(host.get())) {
            // A password in clear text across the network is how mail accounts are stolen.
            throw file.error("notify.smtp.security", "starttls or tls when a password is sent to another host");
        }
        return Optional.of(new SmtpSettings(host.get(), port, security, user, password, from.get(), Duration.ofSeconds(timeout)));
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }

    private static Map<String, WebhookSettings> webhooks(ConfigFile file) {
        JsonNode node = file.node("notify.webhooks");
        Map<String, WebhookSettings> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw file.error("notify.webhooks", "a mapping of webhook names to their format and url");
        }
        for (String name : iterable(node.fieldNames())) {
            String key = "notify.webhooks." + name;
            if (!Ids.isValid(name)) {
                throw file.error(key, "named with a-z, 0-9 and - (the name is what contacts refer to)");
            }
            String formatText = file.string(key + ".format");
            WebhookSettings.Format format = WebhookSettings.Format.fromWire(formatText)
                    .orElseThrow(() -> file.error(key + ".format", "teams, google-chat, ntfy or signed-json"));
            URI url = uri(file, key + ".url", file.string(key + ".url"));
            Optional<String> secret = file.optionalString(key + ".secret");
            Optional<String> token = file.optionalString(key + ".token");
            if (format == WebhookSettings.Format.SIGNED_JSON && (secret.isEmpty() || secret.get().length() < 16)) {
                throw file.error(key + ".secret", "a shared secret of at least 16 characters (it signs every request)");
            }
            out.put(name, new WebhookSettings(name, format, url, secret, token));
        }
        return out;
    }

    private static Map<String, Contact> contacts(ConfigFile file, boolean smtp, boolean pushConfigured, Set<String> webhooks) {
        JsonNode list = file.node("notify.contacts");
        if (!list.isArray() || list.isEmpty()) {
            throw file.error("notify.contacts", "a list of contacts (staff, email, webhooks)");
        }
        Map<String, Contact> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "notify.contacts[" + i + "]";
            JsonNode item = fields(file, at, list.get(i), CONTACT_FIELDS);
            String staff = text(file, at + ".staff", item.path("staff"), true);
            Optional<String> email = Optional.ofNullable(text(file, at + ".email", item.path("email"), false));
            if (email.isPresent() && !EMAIL.matcher(email.get()).matches()) {
                throw new ConfigException("config " + file.name() + ": " + at + ".email must be an e-mail address, got '" + email.get() + "'");
            }
            if (email.isPresent() && !smtp) {
                throw new ConfigException("config " + file.name() + ": " + at + ".email needs notify.smtp.host (the mail server that sends it)");
            }
            List<String> hooks = names(file, at + ".webhooks", item.path("webhooks"), false);
            for (String hook : hooks) {
                if (!webhooks.contains(hook)) {
                    throw new ConfigException("config " + file.name() + ": " + at + ".webhooks names '" + hook
                            + "', which is not under notify.webhooks (known: " + String.join(", ", webhooks) + ")");
                }
            }
            if (out.containsKey(staff)) {
                throw new ConfigException("config " + file.name() + ": " + at + ".staff '" + staff + "' is listed twice");
            }
            JsonNode pushNode = item.path("push");
            if (!pushNode.isMissingNode() && !pushNode.isBoolean()) {
                throw new ConfigException("config " + file.name() + ": " + at + ".push must be true or false, got " + pushNode);
            }
            boolean push = pushNode.asBoolean(false);
            if (push && !pushConfigured) {
                throw new ConfigException("config " + file.name() + ": " + at + ".push needs notify.push.subject");
            }
            Contact contact = file.checked(at, () -> new Contact(staff, email, push, hooks));
            out.put(staff, contact);
        }
        return out;
    }

    private static Map<AlertKind, List<Step>> ladders(ConfigFile file, String key, Set<String> contacts) {
        JsonNode node = file.node(key);
        Map<AlertKind, List<Step>> out = new EnumMap<>(AlertKind.class);
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw file.error(key, "a mapping of alert kinds (worry, urgent-worry, isolation, ...) to lists of steps");
        }
        for (String kindText : iterable(node.fieldNames())) {
            String at = key + "." + kindText;
            AlertKind kind = AlertKind.fromWire(kindText).filter(AlertKind::hasLadder)
                    .orElseThrow(() -> new ConfigException("config " + file.name() + ": unknown key '" + at + "'; known keys here: "
                            + String.join(", ", java.util.Arrays.stream(AlertKind.values()).filter(AlertKind::hasLadder).map(AlertKind::wire).toList())));
            JsonNode steps = file.node(at);
            if (!steps.isArray() || steps.isEmpty()) {
                throw file.error(at, "a list of steps (after, contacts)");
            }
            List<Step> ladder = new ArrayList<>();
            Duration previous = Duration.ZERO;
            for (int i = 0; i < steps.size(); i++) {
                String stepAt = at + "[" + i + "]";
                JsonNode step = fields(file, stepAt, steps.get(i), STEP_FIELDS);
                String afterText = text(file, stepAt + ".after", step.path("after"), i > 0);
                Duration after = afterText == null ? Duration.ZERO : file.checked(stepAt + ".after", () -> duration(afterText));
                if (i > 0 && after.compareTo(previous) <= 0) {
                    throw new ConfigException("config " + file.name() + ": " + stepAt + ".after must be later than the step before ("
                            + previous + "), got " + after);
                }
                List<String> who = names(file, stepAt + ".contacts", step.path("contacts"), true);
                for (String name : who) {
                    if (!contacts.contains(name)) {
                        throw new ConfigException("config " + file.name() + ": " + stepAt + ".contacts names '" + name
                                + "', who is not in notify.contacts");
                    }
                }
                ladder.add(new Step(after, who));
                previous = after;
            }
            out.put(kind, ladder);
        }
        return out;
    }

    private static Optional<SchoolHours> schoolHours(ConfigFile file) {
        JsonNode node = file.node("notify.schoolHours");
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        String zoneText = file.string("notify.schoolHours.timeZone", "Europe/London");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneText);
        } catch (java.time.DateTimeException e) {
            throw file.error("notify.schoolHours.timeZone", "a time zone like Europe/London");
        }
        Map<DayOfWeek, List<SchoolHours.Hours>> week = new EnumMap<>(DayOfWeek.class);
        for (DayOfWeek day : DayOfWeek.values()) {
            String key = "notify.schoolHours." + day.name().toLowerCase(Locale.ROOT);
            file.optionalString(key).ifPresent(text -> {
                List<SchoolHours.Hours> hours = new ArrayList<>();
                for (String part : text.split(",")) {
                    hours.add(file.checked(key, () -> SchoolHours.Hours.parse(part)));
                }
                week.put(day, hours);
            });
        }
        List<SchoolHours.Term> terms = new ArrayList<>();
        JsonNode termList = file.node("notify.schoolHours.terms");
        if (!termList.isMissingNode() && !termList.isNull()) {
            if (!termList.isArray()) {
                throw file.error("notify.schoolHours.terms", "a list of terms like 2026-09-03..2026-10-23");
            }
            for (int i = 0; i < termList.size(); i++) {
                String text = termList.get(i).asText("");
                terms.add(file.checked("notify.schoolHours.terms[" + i + "]", () -> SchoolHours.Term.parse(text)));
            }
        }
        return Optional.of(new SchoolHours(zone, week, terms));
    }

    private static Set<Category> urgent(ConfigFile file) {
        JsonNode node = file.node("notify.urgentCategories");
        Set<Category> out = EnumSet.noneOf(Category.class);
        if (node.isMissingNode() || node.isNull()) {
            out.add(Category.STRANGER_CONTACT);
            return out;
        }
        if (!node.isArray()) {
            throw file.error("notify.urgentCategories", "a list of categories");
        }
        for (JsonNode item : node) {
            Category category = Category.fromWire(item.asText(""))
                    .orElseThrow(() -> file.error("notify.urgentCategories", "a list of unkind-online, saw-something-upsetting, stranger-contact, other"));
            if (category == Category.ABOUT_AN_ADULT) {
                // The kind is in the alert; "urgent" for this category would tell everyone on the ladder what
                // a head-only concern is about.
                throw file.error("notify.urgentCategories", "a list without about-an-adult (that concern goes to the head only)");
            }
            out.add(category);
        }
        return out;
    }

    private static Map<RoomId, String> roomNames(ConfigFile file) {
        JsonNode node = file.node("notify.roomNames");
        Map<RoomId, String> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw file.error("notify.roomNames", "a mapping of site to room to the room's name");
        }
        for (String site : iterable(node.fieldNames())) {
            JsonNode rooms = node.get(site);
            if (!rooms.isObject()) {
                throw file.error("notify.roomNames." + site, "a mapping of room ids to names");
            }
            for (String room : iterable(rooms.fieldNames())) {
                String key = "notify.roomNames." + site + "." + room;
                RoomId id = file.checked(key, () -> new RoomId(site, room));
                String name = file.string(key);
                if (name.length() > 60) {
                    throw file.error(key, "a room name of at most 60 characters");
                }
                out.put(id, name);
            }
        }
        return out;
    }

    // ---- list items, which ConfigFile treats as single values: checked here, unknown fields refused ----------

    private static JsonNode fields(ConfigFile file, String at, JsonNode item, List<String> allowed) {
        if (!item.isObject()) {
            throw new ConfigException("config " + file.name() + ": " + at + " must be a mapping with " + String.join(", ", allowed));
        }
        for (String name : iterable(item.fieldNames())) {
            if (!allowed.contains(name)) {
                throw new ConfigException("config " + file.name() + ": unknown key '" + at + "." + name + "'; known keys here: "
                        + String.join(", ", allowed));
            }
        }
        return item;
    }

    private static String text(ConfigFile file, String at, JsonNode node, boolean required) {
        if (node.isMissingNode() || node.isNull() || node.isTextual() && node.asText().isBlank()) {
            if (required) {
                throw new ConfigException("config " + file.name() + ": " + at + " must be set");
            }
            return null;
        }
        if (!node.isValueNode()) {
            throw new ConfigException("config " + file.name() + ": " + at + " must be a text value, got " + node);
        }
        return node.asText();
    }

    private static List<String> names(ConfigFile file, String at, JsonNode node, boolean required) {
        if (node.isMissingNode() || node.isNull()) {
            if (required) {
                throw new ConfigException("config " + file.name() + ": " + at + " must be a list of names");
            }
            return List.of();
        }
        if (!node.isArray() || required && node.isEmpty()) {
            throw new ConfigException("config " + file.name() + ": " + at + " must be a list of names, got " + node);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual() || n.asText().isBlank()) {
                throw new ConfigException("config " + file.name() + ": " + at + " must be a list of names, got " + node);
            }
            out.add(n.asText());
        }
        return out;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
