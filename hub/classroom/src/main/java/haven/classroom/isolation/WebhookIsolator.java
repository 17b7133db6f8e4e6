package haven.classroom.isolation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.ContractViolation;
import haven.protocol.Json;
import haven.protocol.UuidV7;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Isolation through a NAC or firewall API that the school's network team exposes. Each action is one
 * HTTP POST of
 * <pre>{"action":"isolate"|"release","machine":{"name","mac","ip"},"at":ISO-8601,"requestId":UUIDv7}</pre>
 * with header {@code X-Haven-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>} under the shared
 * secret. The receiver must check the signature, should reject an {@code at} that is too old (replay), and
 * should treat {@code requestId} as an idempotency key: retries resend the same body.
 *
 * <p>A 2xx means the receiver applied the action. If the 2xx body is JSON with {@code "verified": true}
 * the result is verified, and a text {@code "handle"} is kept as the rule's handle. 5xx, 429, timeouts and
 * connection failures are retried with doubling back-off up to {@link Settings#attempts()}; any other
 * status is final. Every attempt's status and (truncated) body go into the evidence.
 */
public final class WebhookIsolator implements Isolator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookIsolator.class);

    public static final String BACKEND = "webhook";
    public static final String SIGNATURE_HEADER = "X-Haven-Signature";
    private static final int MAX_EVIDENCE_BODY = 512;

    /**
     * @param url      where to POST (http or https; https outside a lab)
     * @param secret   the shared HMAC secret, at least 16 characters; never logged or printed
     * @param timeout  per attempt (connect and response)
     * @param attempts 1..5 tries in total
     * @param backoff  wait before the second try; doubles for each further try
     */
    public record Settings(URI url, String secret, Duration timeout, int attempts, Duration backoff) {
        public Settings {
            if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("webhook url must be an http or https URL, got " + url);
            }
            if (secret == null || secret.length() < 16) {
                throw new IllegalArgumentException("webhook secret must be at least 16 characters");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("webhook timeout must be between 1 ms and 60 s, got " + timeout);
            }
            if (attempts < 1 || attempts > 5) {
                throw new IllegalArgumentException("webhook attempts must be 1..5, got " + attempts);
            }
            if (backoff == null || backoff.isNegative() || backoff.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("webhook backoff must be between 0 and 10 s, got " + backoff);
            }
        }

        /** Defaults for a hub: 5 s per attempt, 3 attempts, 500 ms then 1 s between them. */
        public static Settings of(URI url, String secret) {
            return new Settings(url, secret, Duration.ofSeconds(5), 3, Duration.ofMillis(500));
        }

        @Override
        public String toString() {
            return "Settings[url=" + url + ", secret=(hidden), timeout=" + timeout + ", attempts=" + attempts
                    + ", backoff=" + backoff + "]";
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final UuidV7 ids;
    private final HttpClient http;

    public WebhookIsolator(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.ids = new UuidV7(clock);
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String backend() {
        return BACKEND;
    }

    @Override
    public IsolationResult isolate(Machine machine) {
        return send("isolate", machine);
    }

    @Override
    public IsolationResult release(Machine machine) {
        return send("release", machine);
    }

    /** {@code sha256=<hex>}: what a receiver recomputes over the raw body to authenticate the request. */
    public static String signature(byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private IsolationResult send(String action, Machine machine) {
        String requestId = ids.next().toString();
        ObjectNode json = Json.object();
        json.put("action", action);
        ObjectNode m = json.putObject("machine");
        m.put("name", machine.name());
        m.put("mac", machine.mac());
        m.put("ip", machine.ip());
        json.put("at", Json.time(clock.instant()));
        json.put("requestId", requestId);
        byte[] body = Json.write(json).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, signature(body, settings.secret()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();

        List<String> attempts = new ArrayList<>();
        String lastProblem = "no attempt made";
        for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
            if (attempt > 1 && !pause(settings.backoff().multipliedBy(1L << (attempt - 2)))) {
                lastProblem = "interrupted between attempts";
                break;
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                String shown = truncate(response.body());
                attempts.add("attempt " + attempt + ": status=" + status + " body=" + shown);
                if (status / 100 == 2) {
                    return accepted(action, machine, requestId, response.body(), evidence(requestId, attempts));
                }
                lastProblem = "the webhook answered " + status;
                if (status < 500 && status != 429) {
                    break;
                }
            } catch (HttpTimeoutException e) {
                lastProblem = "no answer within " + settings.timeout().toMillis() + " ms";
                attempts.add("attempt " + attempt + ": " + lastProblem);
            } catch (IOException e) {
                lastProblem = "could not reach " + settings.url() + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage());
                attempts.add("attempt " + attempt + ": " + lastProblem);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lastProblem = "interrupted while waiting for the webhook";
                break;
            }
        }
        String reason = "webhook " + action + " failed after " + attempts.size() + " attempt(s): " + lastProblem;
        log.warn("{} failed machine={} backend={} attempts={} reason={}", action, machine.name(), BACKEND, attempts.size(), lastProblem);
        return IsolationResult.notApplied(machine, BACKEND, evidence(requestId, attempts), reason);
    }

    private IsolationResult accepted(String action, Machine machine, String requestId, String responseBody, String evidence) {
        boolean verified = false;
        String handle = "requestId=" + requestId;
        try {
            JsonNode answer = Json.parse(responseBody.getBytes(StandardCharsets.UTF_8));
            verified = answer.path("verified").asBoolean(false);
            if (answer.path("handle").isTextual()) {
                handle = truncate(answer.path("handle").asText());
            }
        } catch (ContractViolation notJson) {
            // A plain "OK" body is a valid acceptance; it just says nothing about verification.
        }
        log.info("{} applied machine={} backend={} verified={}", action, machine.name(), BACKEND, verified);
        return new IsolationResult(machine, BACKEND, true, verified, handle, evidence,
                verified ? null : "the webhook accepted the request but did not report it verified");
    }

    private String evidence(String requestId, List<String> attempts) {
        return "POST " + settings.url() + " requestId=" + requestId + "; " + String.join("; ", attempts);
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String truncate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\p{Cntrl}", " ");
        return oneLine.length() > MAX_EVIDENCE_BODY ? oneLine.substring(0, MAX_EVIDENCE_BODY) + "...(truncated)" : oneLine;
    }

    @Override
    public void close() {
        http.close();
    }
}
