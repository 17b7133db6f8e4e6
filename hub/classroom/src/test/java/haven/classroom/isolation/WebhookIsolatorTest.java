package haven.classroom.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import haven.protocol.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stand-in NAC API on 127.0.0.1 that checks the signature itself and answers from a script. */
class WebhookIsolatorTest {
    private static final String SECRET = "correct horse battery staple";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-04T10:15:30.123Z"), ZoneOffset.UTC);

    private record Received(String body, boolean signatureValid) {
    }

    private record Answer(int status, String body) {
    }

    private final Machine pc = new Machine("PC-07", "02:00:5e:91:01:02", "10.91.1.2");
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Answer> answers = new ArrayDeque<>();
    private final CountDownLatch releaseSlowAnswers = new CountDownLatch(1);
    private volatile boolean slow;
    private HttpServer server;
    private URI url;

    @BeforeEach
    void startNac() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/isolate", this::answer);
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/isolate");
    }

    @AfterEach
    void stopNac() {
        releaseSlowAnswers.countDown();
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        boolean valid = signatureMatches(body, exchange.getRequestHeaders().getFirst("X-Haven-Signature"));
        received.add(new Received(new String(body, StandardCharsets.UTF_8), valid));
        if (slow) {
            try {
                releaseSlowAnswers.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Answer answer;
        synchronized (answers) {
            answer = !valid ? new Answer(401, "{\"error\":\"bad signature\"}")
                    : answers.isEmpty() ? new Answer(200, "{}") : answers.poll();
        }
        byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }

    /** The receiver's side, written independently of WebhookIsolator.signature(). */
    private static boolean signatureMatches(byte[] body, String header) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
            return header != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    header.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void willAnswer(Answer... scripted) {
        synchronized (answers) {
            answers.addAll(List.of(scripted));
        }
    }

    private WebhookIsolator isolator(String secret, Duration timeout) {
        return new WebhookIsolator(new WebhookIsolator.Settings(url, secret, timeout, 3, Duration.ofMillis(5)), CLOCK);
    }

    @Test
    void aSignedRequestCarriesTheMachineAndAVerifiedAnswerIsVerified() {
        willAnswer(new Answer(200, "{\"verified\":true,\"handle\":\"nac-rule-42\"}"));
        try (WebhookIsolator webhook = isolator(SECRET, Duration.ofSeconds(5))) {
            IsolationResult result = webhook.isolate(pc);

            assertTrue(result.applied() && result.verified(), result::toString);
            assertEquals("nac-rule-42", result.handle());
            assertEquals("webhook", result.backend());
            assertTrue(result.evidence().contains("status=200"), result.evidence());
        }
        assertEquals(1, received.size());
        assertTrue(received.get(0).signatureValid(), "the receiver must be able to verify the HMAC");
        JsonNode body = Json.parse(received.get(0).body().getBytes(StandardCharsets.UTF_8));
        assertEquals("isolate", body.path("action").asText());
        assertEquals("PC-07", body.path("machine").path("name").asText());
        assertEquals("02:00:5e:91:01:02", body.path("machine").path("mac").asText());
        assertEquals("10.91.1.2", body.path("machine").path("ip").asText());
        assertEquals("2025-03-04T10:15:30.123Z", body.path("at").asText());
        assertFalse(body.path("requestId").asText().isBlank());
    }

    @Test
    void serverErrorsAreRetriedWithTheSameRequestUntilItSucceeds() {
        willAnswer(new Answer(503, "busy"), new Answer(502, "bad gateway"), new Answer(200, "OK"));
        try (WebhookIsolator webhook = isolator(SECRET, Duration.ofSeconds(5))) {
            IsolationResult result = webhook.isolate(pc);

            assertTrue(result.applied(), result::toString);
            assertFalse(result.verified(), "a plain OK says nothing about verification");
            assertTrue(result.evidence().contains("attempt 1: status=503 body=busy"), result.evidence());
            assertTrue(result.evidence().contains("attempt 3: status=200 body=OK"), result.evidence());
        }
        assertEquals(3, received.size());
        assertEquals(1, received.stream().map(Received::body).distinct().count(), "retries resend the identical signed body");
    }

    @Test
    void persistentServerErrorsEndAsNotAppliedAfterThreeAttempts() {
        willAnswer(new Answer(500, "down"), new Answer(500, "down"), new Answer(500, "down"), new Answer(200, "never reached"));
        try (WebhookIsolator webhook = isolator(SECRET, Duration.ofSeconds(5))) {
            IsolationResult result = webhook.isolate(pc);

            assertFalse(result.applied());
            assertFalse(result.verified());
            assertEquals("webhook isolate failed after 3 attempt(s): the webhook answered 500", result.failure());
        }
        assertEquals(3, received.size(), "attempts are bounded");
    }

    @Test
    void aRejectedSignatureIsNotRetried() {
        try (WebhookIsolator webhook = isolator("not the shared secret at all", Duration.ofSeconds(5))) {
            IsolationResult result = webhook.isolate(pc);

            assertFalse(result.applied());
            assertTrue(result.failure().contains("answered 401"), result.failure());
            assertTrue(result.evidence().contains("bad signature"), result.evidence());
        }
        assertEquals(1, received.size());
        assertFalse(received.get(0).signatureValid());
    }

    @Test
    void aWebhookThatDoesNotAnswerInTimeIsRetriedThenReported() {
        slow = true;
        try (WebhookIsolator webhook = isolator(SECRET, Duration.ofMillis(200))) {
            IsolationResult result = webhook.isolate(pc);

            assertFalse(result.applied());
            assertTrue(result.failure().contains("no answer within 200 ms"), result.failure());
        }
        assertEquals(3, received.size());
    }

    @Test
    void anUnreachableWebhookIsNotAppliedAndSaysWhy() {
        server.stop(0);
        try (WebhookIsolator webhook = isolator(SECRET, Duration.ofSeconds(2))) {
            IsolationResult result = webhook.release(pc);

            assertFalse(result.applied());
            assertTrue(result.failure().startsWith("webhook release failed after 3 attempt(s): could not reach " + url), result.failure());
        }
    }

    @Test
    void releaseIsSentAsItsOwnAction() {
        try (WebhookIsolator webhook = isolator(SECRET, Duration.ofSeconds(5))) {
            assertTrue(webhook.release(pc).applied());
        }
        assertEquals("release", Json.parse(received.get(0).body().getBytes(StandardCharsets.UTF_8)).path("action").asText());
    }

    @Test
    void theSharedSecretNeverAppearsInSettingsText() {
        assertFalse(new WebhookIsolator.Settings(url, SECRET, Duration.ofSeconds(1), 3, Duration.ZERO).toString().contains(SECRET));
    }
}
