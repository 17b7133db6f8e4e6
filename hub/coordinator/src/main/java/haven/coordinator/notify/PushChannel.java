package haven.coordinator.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Web Push to every device the contact's staff account subscribed from the dashboard (the installable PWA).
 * Accepted when at least one push service took the message (201). The message is encrypted for the device
 * (RFC 8291): the push service, which is not the school's, sees only who we are and how urgent it is.
 */
public final class PushChannel implements Channel {
    private final PushSubscriptions subscriptions;
    private final WebPush push;
    private final HttpClient http;
    private final Clock clock;
    private final String subject;
    private final Duration ttl;

    public PushChannel(PushSubscriptions subscriptions, WebPush push, HttpClient http, Clock clock, String subject, Duration ttl) {
        this.subscriptions = subscriptions;
        this.push = push;
        this.http = http;
        this.clock = clock;
        this.subject = subject;
        this.ttl = ttl;
    }

    /** What the service worker shows: the same words as every other channel, and where a tap goes. */
    static byte[] message(Alert alert) {
        ObjectNode json = Json.object();
        json.put("title", alert.subject());
        json.put("body", alert.summary());
        json.put("url", alert.dashboard().toString());
        json.put("tag", "haven-incident-" + alert.incident());
        return Json.write(json).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Outcome send(Contact contact, Alert alert) {
        try {
            List<PushSubscriptions.Subscription> devices = subscriptions.of(contact.staff());
            if (devices.isEmpty()) {
                return new Outcome(false, "no device of this account is subscribed to push");
            }
            PushSubscriptions.VapidKeys keys = subscriptions.keys();
            byte[] plaintext = message(alert);
            boolean accepted = false;
            List<String> replies = new ArrayList<>();
            for (PushSubscriptions.Subscription device : devices) {
                HttpRequest request = HttpRequest.newBuilder(device.endpoint()).timeout(Duration.ofSeconds(10))
                        .header("Content-Encoding", "aes128gcm")
                        .header("Content-Type", "application/octet-stream")
                        .header("TTL", String.valueOf(ttl.toSeconds()))
                        .header("Urgency", "high")
                        .header("Authorization", WebPush.vapidAuthorization(device.endpoint(), subject, clock.instant(),
                                keys.privateKey(), keys.publicKey()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(push.encrypt(plaintext, device.p256dh(), device.auth())))
                        .build();
                try {
                    int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    replies.add("HTTP " + status);
                    accepted |= status >= 200 && status < 300;
                    if (status == 404 || status == 410) {
                        subscriptions.remove(device.endpoint());
                    }
                } catch (IOException e) {
                    replies.add(e.getClass().getSimpleName());
                }
            }
            return new Outcome(accepted, String.join(", ", replies));
        } catch (SQLException | RuntimeException e) {
            return Outcome.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(e);
        }
    }
}
