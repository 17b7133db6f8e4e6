package haven.classroom.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.protocol.FilterResult;
import haven.protocol.FilterTargets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe against servers on loopback that this test runs: nothing else is contacted (address literals, no DNS). */
class NetworkProbeTest {
    private static final FilterTargets RULES = new FilterTargets(Instant.EPOCH, List.of(),
            List.of("Blocked by Example Filter"), List.of(), List.of());
    private ServerSocket server;
    private final AtomicLong written = new AtomicLong();

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private interface Answer {
        void answer(OutputStream out) throws IOException;
    }

    private String serve(Answer answer) throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("probe-test-server").start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    answer.answer(s.getOutputStream());
                } catch (IOException e) {
                    // the probe closed its end: what a byte cap does
                }
            }
        });
        return "http://127.0.0.1:" + server.getLocalPort() + "/test";
    }

    private FilterResult probe(String url, Duration timeout, int cap) {
        return new NetworkProbe(Optional.empty(), timeout, cap, Clock.systemUTC())
                .probe(new FilterTargets.Target("adult", url, "blocked"), RULES);
    }

    @Test
    void anEndlessAnswerIsReadOnlyUpToTheByteCap() throws IOException {
        String url = serve(out -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[4096];
            java.util.Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < 100_000; i++) { // bounded: 400 MB at most, far past any cap
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        });
        FilterResult result = probe(url, Duration.ofSeconds(5), 1024);
        assertEquals("reachable", result.result());
        assertEquals(1024, result.evidence().get("bytes").asInt());
        assertEquals(200, result.evidence().get("status").asInt());
        assertTrue(result.failed());
    }

    @Test
    void aServerThatNeverAnswersEndsInTheTimeoutAsAnError() throws IOException {
        String url = serve(out -> {
            try {
                Thread.sleep(Duration.ofSeconds(30)); // holds the connection open and silent
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        FilterResult result = probe(url, Duration.ofMillis(300), 1024);
        assertEquals("error", result.result());
        assertEquals("no answer", result.evidence().get("http").asText());
        assertTrue(result.evidence().get("millis").asLong() < 30_000, "the probe gave up well before the server did");
    }

    @Test
    void theSchoolsBlockPageSignatureMeansBlocked() throws IOException {
        String url = serve(out -> out.write(("HTTP/1.1 403 Forbidden\r\n\r\n<html><h1>This page was BLOCKED BY EXAMPLE FILTER</h1>")
                .getBytes(StandardCharsets.US_ASCII)));
        FilterResult result = probe(url, Duration.ofSeconds(5), 4096);
        assertEquals("blocked", result.result());
        assertEquals(403, result.evidence().get("status").asInt());
        assertEquals("Blocked by Example Filter", result.evidence().get("blockPage").asText());
        assertTrue(!result.evidence().toString().contains("<html>"), "no body is kept in the evidence");
    }

    @Test
    void aRefusedConnectionMeansBlocked() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        FilterResult result = probe("http://127.0.0.1:" + closed + "/", Duration.ofSeconds(2), 1024);
        assertEquals("blocked", result.result());
        assertEquals("refused", result.evidence().get("connect").asText());
    }

    @Test
    void roomsAreSpreadOverTheWeekAndKeepTheirSlot() {
        Duration week = Duration.ofDays(7);
        var offsets = new java.util.TreeSet<Long>();
        for (int i = 0; i < 40; i++) {
            FilterSchedule s = new FilterSchedule(week, new haven.protocol.RoomId("school", "room-" + i));
            offsets.add(s.offset().toMinutes() / 60);
            assertEquals(s.offset(), new FilterSchedule(week, new haven.protocol.RoomId("school", "room-" + i)).offset());
            Instant now = Instant.parse("2026-12-01T10:00:00Z");
            Instant next = s.nextAfter(now);
            assertTrue(next.isAfter(now) && !next.isAfter(now.plus(week)), "next run within one period");
            assertEquals(next.plus(week), s.nextAfter(next), "one period later, the same slot");
        }
        assertTrue(offsets.size() > 30, "40 rooms land in more than 30 different hours of the week, got " + offsets.size());
    }
}
