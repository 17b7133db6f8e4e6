package haven.coordinator.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import haven.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each webhook format against a loopback HTTP server: the shape the service expects, and the generic signature. */
class WebhookChannelTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:05:00Z");
    private static final Alert ALERT = new Alert(AlertKind.WORRY, 42, "Year 5 (Elm)", Instant.parse("2026-11-25T10:00:00Z"), NOW,
            URI.create("https://haven.school.invalid/"));
    private static final Contact DSL = new Contact("dsl", Optional.empty(), List.of("hook"));
    private static final String SECRET = "a-shared-secret-of-some-length";

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final HttpClient http = HttpClient.newHttpClient();
    private WebhookReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        receiver.close();
        http.close();
    }

    private WebhookReceiver.Request send(WebhookSettings.Format format, Optional<String> secret, Optional<String> token) {
        WebhookSettings settings = new WebhookSettings("hook", format, URI.create(receiver.url("/" + format.wire())), secret, token);
        Channel.Outcome outcome = new WebhookChannel(settings, http, clock).send(DSL, ALERT);
        assertTrue(outcome.accepted(), outcome.toString());
        assertEquals("HTTP 200", outcome.detail());
        return receiver.received.get(receiver.received.size() - 1);
    }

    @Test
    void teamsWorkflowsGetsAnAdaptiveCardWithALinkToTheDashboard() {
        WebhookReceiver.Request r = send(WebhookSettings.Format.TEAMS, Optional.empty(), Optional.empty());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        JsonNode json = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("message", json.get("type").asText());
        JsonNode attachment = json.get("attachments").get(0);
        assertEquals("application/vnd.microsoft.card.adaptive", attachment.get("contentType").asText());
        JsonNode card = attachment.get("content");
        assertEquals("AdaptiveCard", card.get("type").asText());
        assertEquals("Haven: New worry in Year 5 (Elm)", card.get("body").get(0).get("text").asText());
        assertEquals("New worry in Year 5 (Elm), 5 minutes ago (incident 42).", card.get("body").get(1).get("text").asText());
        assertEquals("Action.OpenUrl", card.get("actions").get(0).get("type").asText());
        assertEquals("https://haven.school.invalid/", card.get("actions").get(0).get("url").asText());
    }

    @Test
    void googleChatGetsATextMessage() {
        WebhookReceiver.Request r = send(WebhookSettings.Format.GOOGLE_CHAT, Optional.empty(), Optional.empty());
        JsonNode json = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("text"), iterable(json.fieldNames()));
        assertEquals("New worry in Year 5 (Elm), 5 minutes ago (incident 42).\nhttps://haven.school.invalid/", json.get("text").asText());
    }

    @Test
    void ntfyGetsThePlainMessageWithTitlePriorityAndClickHeadersAndTheAccessToken() {
        WebhookReceiver.Request r = send(WebhookSettings.Format.NTFY, Optional.empty(), Optional.of("tk_test"));
        assertEquals("/ntfy", r.path());
        assertEquals("New worry in Year 5 (Elm), 5 minutes ago (incident 42).", r.body());
        assertEquals("Haven: New worry in Year 5 (Elm)", r.header("Title"));
        assertEquals("high", r.header("Priority"));
        assertEquals("https://haven.school.invalid/", r.header("Click"));
        assertEquals("Bearer tk_test", r.header("Authorization"));
    }

    @Test
    void theGenericJsonIsSignedOverTimestampAndBodyWithTheSharedSecret() throws Exception {
        WebhookReceiver.Request r = send(WebhookSettings.Format.SIGNED_JSON, Optional.of(SECRET), Optional.empty());
        String timestamp = r.header(WebhookChannel.TIMESTAMP_HEADER);
        assertEquals(String.valueOf(NOW.getEpochSecond()), timestamp);
        // What a receiver does, written out without our code: HMAC-SHA256(secret, timestamp + "." + body).
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal((timestamp + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, r.header(WebhookChannel.SIGNATURE_HEADER));
        String forged = WebhookChannel.sign("another-secret-entirely", timestamp, r.body());
        assertFalse(("sha256=" + forged).equals(r.header(WebhookChannel.SIGNATURE_HEADER)));
        JsonNode json = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertEquals("worry", json.get("kind").asText());
        assertEquals(42, json.get("incident").asLong());
        assertEquals("Year 5 (Elm)", json.get("room").asText());
        assertEquals(5, json.get("minutesAgo").asLong());
        assertEquals("https://haven.school.invalid/", json.get("dashboard").asText());
    }

    @Test
    void aRefusingServiceIsAFailureWithItsStatus() {
        receiver.status = 403;
        WebhookSettings settings = new WebhookSettings("hook", WebhookSettings.Format.GOOGLE_CHAT, URI.create(receiver.url("/x")),
                Optional.empty(), Optional.empty());
        Channel.Outcome outcome = new WebhookChannel(settings, http, clock).send(DSL, ALERT);
        assertFalse(outcome.accepted());
        assertEquals("HTTP 403", outcome.detail());
        assertNotNull(receiver.received.get(0));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
