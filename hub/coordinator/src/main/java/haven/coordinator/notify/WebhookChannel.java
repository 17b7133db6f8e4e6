package haven.coordinator.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** An alert POSTed to one chat or push endpoint in the shape its format expects (docs/NOTIFICATIONS.md). */
public final class WebhookChannel implements Channel {
    public static final String TIMESTAMP_HEADER = "X-Haven-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Haven-Signature";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WebhookSettings settings;
    private final HttpClient http;
    private final Clock clock;

    public WebhookChannel(WebhookSettings settings, HttpClient http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public Outcome send(Contact contact, Alert alert) {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url()).timeout(TIMEOUT);
        settings.token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        String body = switch (settings.format()) {
            case TEAMS -> Json.write(teams(alert));
            case GOOGLE_CHAT -> {
                ObjectNode json = Json.object();
                json.put("text", alert.summary() + "\n" + alert.dashboard());
                yield Json.write(json);
            }
            case NTFY -> {
                request.header("Title", headerText(alert.subject()));
                request.header("Priority", alert.kind() == AlertKind.URGENT_WORRY ? "urgent" : "high");
                request.header("Tags", "warning");
                request.header("Click", alert.dashboard().toString());
                yield alert.summary();
            }
            case SIGNED_JSON -> {
                String json = Json.canonical(alert.toJson());
                String timestamp = String.valueOf(clock.instant().getEpochSecond());
                request.header(TIMESTAMP_HEADER, timestamp);
                request.header(SIGNATURE_HEADER, "sha256=" + sign(settings.secret().orElseThrow(), timestamp, json));
                yield json;
            }
        };
        request.header("Content-Type", settings.format() == WebhookSettings.Format.NTFY
                ? "text/plain; charset=utf-8" : "application/json; charset=utf-8");
        request.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            return new Outcome(status >= 200 && status < 300, "HTTP " + status);
        } catch (IOException e) {
            return Outcome.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(e);
        }
    }

    /** HMAC-SHA256 over "timestamp.body", hex: what a receiver recomputes with the shared secret. */
    public static String sign(String secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by the Java platform", e);
        }
    }

    /** A Teams Workflows message: one Adaptive Card with the summary and a button to the dashboard. */
    private static ObjectNode teams(Alert alert) {
        ObjectNode message = Json.object();
        message.put("type", "message");
        ObjectNode attachment = message.putArray("attachments").addObject();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.putNull("contentUrl");
        ObjectNode card = attachment.putObject("content");
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        ArrayNode body = card.putArray("body");
        body.addObject().put("type", "TextBlock").put("size", "Medium").put("weight", "Bolder").put("wrap", true)
                .put("text", alert.subject());
        body.addObject().put("type", "TextBlock").put("wrap", true).put("text", alert.summary());
        card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", "Open the Haven dashboard")
                .put("url", alert.dashboard().toString());
        return message;
    }

    /** HTTP header values are ASCII; ntfy reads RFC 2047 encoded words for the rest (a room named "Année 5"). */
    private static String headerText(String text) {
        if (text.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
            return text;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "?=";
    }
}
