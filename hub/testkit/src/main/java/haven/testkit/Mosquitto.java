package haven.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Mosquitto from Debian's package, on a free loopback port, with a config written to its folder.
 * Two configs: {@link #start} for tests (persistence on, so a stop/start keeps sessions and queued
 * messages as a production broker would) and {@link #forBenchmark} (no broker persistence, no connection
 * limit, a deep queue, the open-file limit raised: a benchmark must measure Haven, not the broker's caps).
 */
public final class Mosquitto implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path dir;
    private final int port;
    private final boolean raiseFileLimit;
    private Process process;

    private Mosquitto(Path dir, int port, boolean raiseFileLimit) {
        this.dir = dir;
        this.port = port;
        this.raiseFileLimit = raiseFileLimit;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** For a test: aborts the test when Mosquitto is missing on a developer machine, fails it under CI=true. */
    public static Mosquitto start(Path dir) throws IOException, InterruptedException {
        if (!available()) {
            String why = "needs Debian's mosquitto at " + BINARY;
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run installs it");
            }
            Assumptions.abort(why);
        }
        Files.createDirectories(dir);
        Mosquitto m = new Mosquitto(dir, Ports.free(), false);
        Files.writeString(dir.resolve("mosquitto.conf"), """
                listener %d 127.0.0.1
                allow_anonymous true
                # Started as root (CI), Mosquitto would drop to the 'mosquitto' user, which cannot write
                # its persistence file in a private temp dir: a restart would then lose every queued
                # message. Production runs it as its own user on /var/lib/mosquitto (firmware-config/).
                user root
                persistence true
                persistence_location %s/
                autosave_interval 1
                max_queued_messages 100000
                log_dest file %s/mosquitto.log
                log_type error
                log_type warning
                log_type notice
                """.formatted(m.port, dir, dir));
        m.startProcess();
        return m;
    }

    /**
     * For a benchmark. Its open-file limit is raised to the hard limit before exec: with the default 1,024
     * Mosquitto stops near 1,015 clients (mosquitto #1505), which would cap the hubs scenario, not Haven.
     */
    public static Mosquitto forBenchmark(Path dir) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalArgumentException("the bench needs Mosquitto at " + BINARY + " (apt-get install mosquitto)");
        }
        Mosquitto m = new Mosquitto(dir, Ports.free(), true);
        Files.writeString(dir.resolve("mosquitto.conf"), """
                listener %d 127.0.0.1
                allow_anonymous true
                user root
                max_connections -1
                # The coordinator is slower than a raw subscriber: its QoS 1 backlog must queue, not be dropped
                # at the default 1,000 (which would make a throughput figure meaningless).
                max_queued_messages 1000000
                # As firmware-config/mosquitto/haven.conf: matches the outbox window and Paho's maxInflight.
                max_inflight_messages 256
                # No broker persistence file: Haven's durability is its own SQLite outbox and event log.
                persistence false
                connection_messages false
                log_dest file %s
                log_type error
                log_type warning
                """.formatted(m.port, dir.resolve("mosquitto.log")));
        m.startProcess();
        // Ctrl-C or SIGTERM on the bench must not leave a broker behind.
        Process started = m.process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroy, "bench-broker-stop"));
        return m;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    private void startProcess() throws IOException, InterruptedException {
        String conf = dir.resolve("mosquitto.conf").toString();
        ProcessBuilder builder = raiseFileLimit
                ? new ProcessBuilder("bash", "-c", "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null || true; exec " + BINARY + " -c \"$1\"",
                        "mosquitto", conf)
                : new ProcessBuilder(BINARY.toString(), "-c", conf);
        process = builder.redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited at start: " + Files.readString(dir.resolve("stdout.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        stop();
        throw new IllegalStateException("mosquitto did not open port " + port + " within 10 s");
    }

    /** A clean stop (SIGTERM): Mosquitto saves its persistence file, as on a service restart. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    public void restart() throws IOException, InterruptedException {
        stop();
        startProcess();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
