package haven.bench;

import com.fasterxml.jackson.databind.JsonNode;
import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of staff with the dashboard open: logs in over HTTP like the browser does and holds the live
 * WebSocket. Each frame is stamped with {@link System#nanoTime()} the moment its last fragment arrives,
 * which is where the press-to-dashboard latency ends.
 */
final class StaffDashboard implements AutoCloseable {
    record Frame(long receivedNanos, JsonNode json) {
        String kind() {
            return json.path("kind").asText();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final boolean keepFrames;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final AtomicLong incidentFrames = new AtomicLong();
    private final AtomicLong roomFrames = new AtomicLong();
    private volatile long lastIncidentNanos;
    private volatile long[] incidentArrivals;
    private String cookie;
    private String csrf;
    private WebSocket socket;

    private StaffDashboard(int port, boolean keepFrames) {
        this.base = "http://127.0.0.1:" + port;
        this.keepFrames = keepFrames;
    }

    /**
     * Adds a headteacher account (the role that sees every incident) to the coordinator, logs in and opens
     * the live feed. With {@code keepFrames} every frame is queued for {@link #next}; without, frames are
     * only counted (the ingest scenario receives tens of thousands).
     */
    static StaffDashboard open(Coordinator coordinator, boolean keepFrames) throws Exception {
        char[] password = "bench-password-1".toCharArray();
        coordinator.staff().put("bench-head", Role.HEAD, password);
        StaffDashboard dashboard = new StaffDashboard(coordinator.httpPort(), keepFrames);
        dashboard.login("bench-head", new String(password));
        dashboard.openLive();
        return dashboard;
    }

    private void login(String name, String password) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(base + "/api/login")).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Json.object().put("name", name).put("password", password))))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("dashboard login refused: HTTP " + res.statusCode());
        }
        cookie = res.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        csrf = Json.parse(res.body().getBytes(StandardCharsets.UTF_8)).get("csrf").asText();
    }

    private void openLive() throws Exception {
        socket = http.newWebSocketBuilder().header("Cookie", cookie)
                .buildAsync(URI.create(base.replace("http://", "ws://") + "/ws"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            long now = System.nanoTime();
                            received(now, partial.toString());
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    private void received(long now, String text) {
        JsonNode json = Json.parse(text.getBytes(StandardCharsets.UTF_8));
        String kind = json.path("kind").asText();
        if (kind.equals("incident") || kind.equals("hidden")) {
            long n = incidentFrames.incrementAndGet();
            lastIncidentNanos = now;
            long[] arrivals = incidentArrivals;
            if (arrivals != null && n <= arrivals.length) {
                arrivals[(int) n - 1] = now;
            }
        } else if (kind.equals("room")) {
            roomFrames.incrementAndGet();
        }
        if (keepFrames) {
            frames.add(new Frame(now, json));
        }
    }

    /** Records the arrival time of the next {@code n} incident frames (for a rate over the middle of a run). */
    void recordIncidentArrivals(int n) {
        incidentArrivals = new long[n];
    }

    long[] incidentArrivals() {
        return incidentArrivals;
    }

    /** The next incident frame about {@code room}, skipping others; null after {@code timeout}. */
    Frame nextIncident(String room, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Frame f = frames.poll(left, TimeUnit.NANOSECONDS);
            if (f != null && f.kind().equals("incident") && room.equals(f.json().path("incident").path("room").asText())) {
                return f;
            }
        }
    }

    void discardFrames() {
        frames.clear();
    }

    long incidentFrames() {
        return incidentFrames.get();
    }

    long roomFrames() {
        return roomFrames.get();
    }

    long lastIncidentNanos() {
        return lastIncidentNanos;
    }

    boolean open() {
        return socket != null && !socket.isInputClosed();
    }

    /** A staff action with the session's CSRF token, as the dashboard page sends it. */
    int post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).header("Cookie", cookie).header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        http.close();
    }
}
