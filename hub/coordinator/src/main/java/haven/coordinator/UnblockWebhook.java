package haven.coordinator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.evidence.AuditLog;
import haven.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional webhook to the school's filter API (coordinator.yaml {@code filter.unblockWebhook.url} and
 * {@code .secret}): when the technician approves an unblock request, one POST of
 * <pre>{"action":"unblock","request":N,"sites":[...],"group":"...","from":ISO,"until":ISO,"at":ISO}</pre>
 * with {@code X-Haven-Signature: sha256=<hex HMAC-SHA256 of the body>} under the shared secret, signed like the
 * isolation webhook. The filter applies it (or not): it stays the school's product. No reason and no names leave
 * Haven. Sent on its own thread ({@code unblock-webhook}), at most three tries, each result an audit row.
 */
public final class UnblockWebhook implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UnblockWebhook.class);
    public static final String SIGNATURE_HEADER = "X-Haven-Signature";
    private static final int ATTEMPTS = 3;

    public record Settings(URI url, String secret) {
        public Settings {
            if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("an http or https URL");
            }
            if (secret == null || secret.length() < 16) {
                throw new IllegalArgumentException("a secret of at least 16 characters");
            }
        }

        @Override
        public String toString() {
            return "Settings[url=" + url + ", secret=(hidden)]";
        }
    }

    private final Settings settings;
    private final AuditLog audit;
    private final Clock clock;
    private final HttpClient http;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("unblock-webhook").daemon(true).factory());

    public UnblockWebhook(Settings settings, AuditLog audit, Clock clock) {
        this.settings = settings;
        this.audit = audit;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Told of every request change; only an approval goes to the filter. */
    public void changed(UnblockRequests.Request request) {
        if ("approved".equals(request.status())) {
            sender.execute(() -> send(request));
        }
    }

    public static String signature(byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private void send(UnblockRequests.Request request) {
        ObjectNode json = Json.object();
        json.put("action", "unblock");
        json.put("request", request.id());
        ArrayNode sites = json.putArray("sites");
        request.sites().forEach(sites::add);
        json.put("group", request.group());
        json.put("from", Json.time(request.from()));
        json.put("until", Json.time(request.until()));
        json.put("at", Json.time(clock.instant()));
        byte[] body = Json.write(json).getBytes(StandardCharsets.UTF_8);
        HttpRequest post = HttpRequest.newBuilder(settings.url()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header(SIGNATURE_HEADER, signature(body, settings.secret()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        String result = "not sent";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                int status = http.send(post, HttpResponse.BodyHandlers.discarding()).statusCode();
                result = "status=" + status;
                if (status / 100 == 2 || status < 500 && status != 429) {
                    break;
                }
            } catch (IOException e) {
                result = "unreachable " + e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = "interrupted";
                break;
            }
            try {
                Thread.sleep(Duration.ofSeconds(attempt)); // a filter API restarting gets a moment, not a burst
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("unblock webhook request={} result={}", request.id(), result);
        try {
            audit.record("system", "unblock-webhook", "request=" + request.id() + " " + result);
        } catch (SQLException e) {
            log.warn("unblock webhook result not audited request={} reason={}", request.id(), e.getMessage());
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        http.close();
    }
}
