package haven.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.web.DashboardServer;
import haven.coordinator.web.RequestLimits;
import haven.demo.EmbeddedBroker;
import haven.protocol.Event;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import haven.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Fuzzing what anyone on the network can send (docs/SECURITY.md): mutated hub events published to a real
 * embedded broker into a real coordinator, and mutated JSON bodies posted to every POST route of the dashboard
 * as a logged-in coordinator. Each try is a seed (jqwik picks it, and prints it on a failure to replay it);
 * the mutations are made from it. Bounded tries, so the whole class runs in well under a minute.
 *
 * <p>Ingest: nothing stops it (a valid event after every mutated one is still logged), every message ends up
 * accepted, a duplicate or rejected, every rejection is counted (the metric) and kept (the rejected table), what
 * is stored is bounded, and a rejection's reason never echoes a value. Bodies: never a 5xx, never an echo of a
 * value in an error.
 */
class IngestAndBodyFuzzTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final RoomId ROOM = new RoomId("fuzz-school", "year5");
    /** Put inside every generated string: an error or a rejection reason that contains it echoed a value. */
    private static final String MARKER = "QzxMarker";
    private static final Pattern REJECTED_METRIC = Pattern.compile("(?m)^haven_events_rejected_total(?:\\{[^}]*})? ([0-9.eE+]+)$");

    private Path dir;
    private EmbeddedBroker broker;
    private Coordinator coordinator;
    private MqttClient hub;
    private final EventCodec codec = new EventCodec();
    private final UuidV7 ids = new UuidV7(Clock.systemUTC());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private long seq;
    private long published;
    private String cookie;
    private String csrf;

    @BeforeProperty
    void start() throws Exception {
        dir = Files.createTempDirectory("haven-fuzz");
        int port = Ports.free();
        broker = EmbeddedBroker.start(port, null);
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + port).put("clientId", "fuzz-coordinator");
        c.putObject("http").put("host", "127.0.0.1").put("port", 0);
        c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
        c.put("database", dir.resolve("coordinator.db").toString());
        coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("fuzz", c)), Clock.systemUTC());
        coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
        hub = new MqttClient("tcp://127.0.0.1:" + port, "fuzz-hub", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(1000);
        hub.connect(options);
        // The coordinator subscribes once its link is up: a first valid event proves it is listening.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            publish(valid(EventType.WORRY_REPORTED).topic(), codec.encode(valid(EventType.WORRY_REPORTED)));
            return coordinator.ingest().accepted() > 0;
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::settled);
    }

    @AfterProperty
    void stop() throws IOException {
        try {
            if (hub != null && hub.isConnected()) {
                hub.disconnect();
            }
        } catch (Exception e) {
            // the broker goes next anyway
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (broker != null) {
            broker.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- ingest ------------------------------------------------------------------------------------------

    @Property(tries = 150, shrinking = ShrinkingMode.OFF)
    void mutatedHubEventsNeverStopIngestAndEveryRejectionIsCountedAndKept(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        EventType type = List.of(EventType.WORRY_REPORTED, EventType.WORRY_DETAILED, EventType.ISOLATION_REQUESTED,
                EventType.AUP_REVIEWED).get(random.nextInt(4));
        Event base = valid(type);
        String topic = base.topic();
        byte[] payload;
        if (random.nextInt(3) == 0) {
            payload = Mutations.bytes(random, codec.encode(base));
        } else {
            payload = Json.write(Mutations.json(random, Json.parse(codec.encode(base)), MARKER)).getBytes(StandardCharsets.UTF_8);
        }
        if (random.nextInt(10) == 0) {
            topic = random.nextBoolean() ? valid(EventType.ISOLATION_REQUESTED).topic() : "haven/v1/" + ROOM.site() + "/" + ROOM.room() + "/x" + random.nextInt(99);
        }
        // Over the broker's own limit (256 KiB in EmbeddedBroker, message_size_limit in Mosquitto) the broker drops
        // the hub's connection itself: nothing of it reaches the coordinator, so the fuzz stays under it.
        net.jqwik.api.statistics.Statistics.label("mutation").collect(type.wire());
        publish(topic, payload.length > 240 * 1024 ? java.util.Arrays.copyOf(payload, 240 * 1024) : payload);
        // And a valid event after it: ingest must still take it.
        long acceptedBefore = coordinator.ingest().accepted();
        Event alive = valid(EventType.WORRY_REPORTED);
        publish(alive.topic(), codec.encode(alive));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::settled);
        assertTrue(coordinator.ingest().accepted() > acceptedBefore, "a valid event after a mutated one is logged");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("coordinator.db"))) {
            long kept = number(c, "SELECT count(*) FROM rejected");
            assertEquals(coordinator.ingest().rejected(), kept, "every rejection is kept");
            assertEquals(kept, rejectedMetric(), "every rejection is counted in /metrics");
            assertTrue(number(c, "SELECT coalesce(max(length(payload)), 0) FROM rejected") <= 64 * 1024, "kept payloads are bounded");
            assertTrue(number(c, "SELECT coalesce(max(length(topic)), 0) FROM rejected") <= 512, "kept topics are bounded");
            assertTrue(number(c, "SELECT coalesce(max(length(reason)), 0) FROM rejected") <= 1024, "reasons are bounded");
            assertTrue(number(c, "SELECT coalesce(max(length(payload)), 0) FROM events") <= EventCodec.MAX_PAYLOAD_BYTES + 1024,
                    "logged events are bounded");
            assertEquals(0, number(c, "SELECT count(*) FROM rejected WHERE reason LIKE '%" + MARKER + "%'"),
                    "a rejection's reason names the field, never its value");
        }
    }

    private Event valid(EventType type) {
        long s = ++seq;
        ObjectNode data = Json.object();
        switch (type) {
            case WORRY_REPORTED -> data.put("presses", 1).put("category", "unkind-online").put("computer", "PC-07");
            case WORRY_DETAILED -> data.put("report", ids.next().toString()).put("category", "upsetting-content");
            case ISOLATION_REQUESTED -> data.put("machine", "PC-07").put("mac", "02:00:00:00:00:07").put("ip", "10.0.5.7");
            case AUP_REVIEWED -> data.put("keyStage", "ks2").put("version", "1").put("language", "en");
            default -> throw new IllegalArgumentException(type.wire());
        }
        return new Event(ids.next().toString(), s, type, ROOM, Clock.systemUTC().instant(), data);
    }

    private void publish(String topic, byte[] payload) throws Exception {
        hub.publish(topic, payload, 1, false);
        published++;
    }

    /** Every message published has been taken one way or another. */
    private boolean settled() {
        var ingest = coordinator.ingest();
        return ingest.accepted() + ingest.duplicates() + ingest.rejected() >= published;
    }

    private long rejectedMetric() throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.httpPort() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = REJECTED_METRIC.matcher(body);
        assertTrue(m.find(), "the metric is exposed");
        return (long) Double.parseDouble(m.group(1));
    }

    private static long number(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- JSON bodies -------------------------------------------------------------------------------------

    /** Field names the routes read, each with a value of the shape it expects: the seed a mutation starts from. */
    private static final Map<String, JsonNode> FIELDS = fields();

    private static Map<String, JsonNode> fields() {
        ObjectNode f = Json.object();
        f.put("keyStage", "ks2").put("language", "en").put("markdown", "# Title\n\ntext").put("version", "1")
                .put("name", "dsl").put("password", PASSWORD).put("code", "123456").put("recoveryCode", "abcd-efgh")
                .put("token", "x").put("room", "fuzz-school/year5").put("category", "unkind-online")
                .put("summary", "a summary").put("about", "pupil").put("illegal", "none").put("outcome", "resolved")
                .put("notes", "notes").put("url", "https://example.invalid/").put("nature", "text").put("to", "dsl")
                .put("reason", "a reason").put("machine", "PC-07").put("text", "a note").put("due", "2026-12-31")
                .put("action", "an action").put("words", "apple banana").put("decision", "approve").put("minutes", 30)
                .put("endpoint", "https://push.example.invalid/x").put("wholeRoom", false).put("reconnectedBy", "dsl")
                .put("computer", "PC-07").put("target", "example.invalid").put("result", "blocked").put("filterAction", "x");
        f.putObject("keys").put("p256dh", "AAAA").put("auth", "BBBB");
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        f.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Property(tries = 400, shrinking = ShrinkingMode.OFF)
    void mutatedJsonBodiesToEveryPostRouteNeverAnswerAServerError(@ForAll long seed) throws Exception {
        if (cookie == null) {
            login();
        }
        Random random = new Random(seed);
        List<String> routes = postRoutes();
        String path = routes.get(random.nextInt(routes.size()));
        ObjectNode seedBody = Json.object();
        List<String> names = new ArrayList<>(FIELDS.keySet());
        for (int i = 0, n = 1 + random.nextInt(5); i < n; i++) {
            String name = names.get(random.nextInt(names.size()));
            seedBody.set(name, FIELDS.get(name).deepCopy());
        }
        byte[] body = switch (random.nextInt(4)) {
            case 0 -> Mutations.bytes(random, Json.write(seedBody).getBytes(StandardCharsets.UTF_8));
            case 1 -> Mutations.hostile(random);
            default -> Json.write(Mutations.json(random, seedBody, MARKER)).getBytes(StandardCharsets.UTF_8);
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.httpPort() + path))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        boolean anonymous = Set.of("/api/login", "/api/login/totp", "/api/setup").contains(path);
        if (!anonymous) {
            request.header("Cookie", cookie).header("X-CSRF-Token", csrf);
        }
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // Once or twice in 400 tries the client sends on a kept-alive connection the server closed after its previous
            // answer (most likely a refusal that left a large body unread, which Jetty will not drain) and hears
            // nothing. The same body again on a new connection must be answered: a body that breaks the server fails here.
            net.jqwik.api.statistics.Statistics.label("resent on a new connection").collect(true);
            try (HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                answer = fresh.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException again) {
                throw new AssertionError("POST " + path + " with " + Mutations.preview(body) + " got no answer: " + again.getMessage(), again);
            }
        }
        // The spread is printed with jqwik's report: a fuzz that only ever met 400s would test the parser alone.
        net.jqwik.api.statistics.Statistics.label("status").collect(answer.statusCode());
        String what = "POST " + path + " with " + Mutations.preview(body) + " answered " + answer.statusCode() + ": " + answer.body();
        assertTrue(answer.statusCode() < 500, what);
        assertFalse(answer.statusCode() >= 400 && answer.body().contains(MARKER), "an error names the field, never echoes it: " + what);
        assertTrue(answer.body().length() <= RequestLimits.MAX_BODY_BYTES * 2, "bounded answer: " + path);
    }

    private void login() throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.httpPort() + "/api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"dsl\",\"password\":\"" + PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        cookie = res.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        csrf = Json.parse(res.body().getBytes(StandardCharsets.UTF_8)).get("csrf").asText();
    }

    /** Every POST route but logout (it would end the session the rest is sent with), its parameters filled in. */
    private List<String> postRoutes() {
        List<String> out = new ArrayList<>();
        for (DashboardServer.DeclaredRoute r : coordinator.dashboardRoutes()) {
            if (r.method().equals("POST") && !r.path().equals("/api/logout")) {
                out.add(r.path().replace("{id}", "1").replace("{code}", "apple-banana").replace("{site}", ROOM.site())
                        .replace("{room}", ROOM.room()).replace("{action}", "1").replace("{sha256}", "0".repeat(64)));
            }
        }
        assertTrue(out.size() > 10, "the dashboard's POST routes: " + out);
        return out;
    }

    /** How payloads are broken: structure-aware (a field removed, retyped, enlarged) and blind (bytes). */
    static final class Mutations {
        private Mutations() {
        }

        static JsonNode json(Random random, JsonNode original, String marker) {
            JsonNode node = original.deepCopy();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                node = once(random, node, marker);
            }
            return node;
        }

        private static JsonNode once(Random random, JsonNode root, String marker) {
            List<ObjectNode> objects = new ArrayList<>();
            collect(root, objects);
            if (objects.isEmpty() || random.nextInt(20) == 0) {
                return value(random, marker, 3); // the whole body replaced: an array, a number, a string
            }
            ObjectNode target = objects.get(random.nextInt(objects.size()));
            List<String> names = new ArrayList<>();
            target.fieldNames().forEachRemaining(names::add);
            String name = names.isEmpty() || random.nextInt(5) == 0 ? "extra" + random.nextInt(9) : names.get(random.nextInt(names.size()));
            if (random.nextInt(4) == 0) {
                target.remove(name);
            } else {
                target.set(name, value(random, marker, 3));
            }
            return root;
        }

        private static void collect(JsonNode node, List<ObjectNode> into) {
            if (node instanceof ObjectNode o) {
                into.add(o);
            }
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                collect(it.next(), into);
            }
        }

        static JsonNode value(Random random, String marker, int depth) {
            // depth < 0: a small scalar (the elements of a long list)
            return switch (random.nextInt(depth > 0 ? 12 : depth == 0 ? 9 : 7)) {
                case 0 -> Json.object().nullNode();
                case 1 -> Json.object().booleanNode(random.nextBoolean());
                case 2 -> Json.object().numberNode(List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53, 2147483648L).get(random.nextInt(6)));
                case 3 -> Json.object().numberNode(List.of(1e308, -0.0, 3.5, 1e-300).get(random.nextInt(4)));
                case 4 -> Json.object().numberNode(new java.math.BigInteger("9".repeat(1 + random.nextInt(400))));
                case 5 -> Json.object().textNode("");
                case 6 -> Json.object().textNode(marker + " ".repeat(random.nextInt(3)) + text(random, random.nextInt(40)));
                case 7 -> Json.object().textNode(marker + text(random, 1000 + random.nextInt(70_000)));
                case 8 -> Json.object().textNode(List.of(marker + "\u0000", marker + "\uD800", marker + "\u202E", marker + "<script>",
                        marker + "' OR 1=1 --", marker + "../../etc/passwd", marker + "\r\nX: y").get(random.nextInt(7)));
                case 9 -> {
                    ArrayNode a = Json.object().arrayNode();
                    boolean many = random.nextInt(10) == 0; // a long list of scalars, or a short one of anything
                    for (int i = 0, n = random.nextInt(many ? 5000 : 4); i < n; i++) {
                        a.add(value(random, marker, many ? -1 : depth - 1));
                    }
                    yield a;
                }
                default -> {
                    ObjectNode o = Json.object();
                    for (int i = 0, n = random.nextInt(4); i < n; i++) {
                        o.set("k" + i, value(random, marker, depth - 1));
                    }
                    yield o;
                }
            };
        }

        private static String text(Random random, int length) {
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                s.append(random.nextInt(8) == 0 ? (char) (0x80 + random.nextInt(0x2000)) : (char) ('a' + random.nextInt(26)));
            }
            return s.toString();
        }

        static byte[] bytes(Random random, byte[] original) {
            byte[] b = original.clone();
            switch (random.nextInt(5)) {
                case 0 -> {
                    for (int i = 0, n = 1 + random.nextInt(8); i < n && b.length > 0; i++) {
                        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 2 -> {
                    int at = random.nextInt(b.length + 1);
                    byte[] junk = new byte[1 + random.nextInt(64)];
                    random.nextBytes(junk);
                    byte[] out = new byte[b.length + junk.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(junk, 0, out, at, junk.length);
                    System.arraycopy(b, at, out, at + junk.length, b.length - at);
                    b = out;
                }
                case 3 -> {
                    byte[] out = new byte[Math.min(200_000, b.length * (2 + random.nextInt(200)))];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = b.length == 0 ? (byte) ' ' : b[i % b.length];
                    }
                    b = out;
                }
                default -> b = new byte[0];
            }
            return b;
        }

        /** Bodies a parser has to survive: deep nesting, huge numbers, broken encodings, not JSON at all. */
        static byte[] hostile(Random random) {
            String s = switch (random.nextInt(10)) {
                case 0 -> "[".repeat(2000 + random.nextInt(50_000));
                case 1 -> "{\"a\":".repeat(2000 + random.nextInt(20_000)) + "1";
                case 2 -> "{\"version\":1e99999999}";
                case 3 -> "{\"version\":" + "9".repeat(5000 + random.nextInt(100_000)) + "}";
                case 4 -> "\uFEFF{}";
                case 5 -> "null";
                case 6 -> "{\"a\":1,\"a\":2}";
                case 7 -> "{\"" + "k".repeat(100_000) + "\":1}";
                case 8 -> "{\"markdown\":\"" + "\\u0000".repeat(20_000) + "\"}";
                default -> "not json at all " + random.nextInt();
            };
            byte[] out = s.getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(5) == 0) {
                out = java.util.Arrays.copyOf(out, out.length + 2);
                out[out.length - 2] = (byte) 0xC3; // a broken UTF-8 sequence at the end
                out[out.length - 1] = (byte) 0x28;
            }
            return out;
        }

        static String preview(byte[] body) {
            String s = new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8);
            return "(" + body.length + " bytes) " + s;
        }
    }
}
