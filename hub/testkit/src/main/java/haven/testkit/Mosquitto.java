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
 * A real Mosquitto from Debian's package, on a free loopback port, with a config this test writes.
 * Persistence is on, so a stop/start keeps the coordinator's session and its queued messages, as a
 * production broker would.
 */
public final class Mosquitto implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path dir;
    private final int port;
    private Process process;

    private Mosquitto(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static Mosquitto start(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            String why = "needs Debian's mosquitto at " + BINARY;
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run installs it");
            }
            Assumptions.abort(why);
        }
        Files.createDirectories(dir);
        Mosquitto m = new Mosquitto(dir, Ports.free());
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

    public int port() {
        return port;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    private void startProcess() throws IOException, InterruptedException {
        process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("mosquitto exited at start: " + Files.readString(dir.resolve("stdout.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        fail("mosquitto did not open port " + port);
    }

    /** A clean stop (SIGTERM): Mosquitto saves its persistence file, as on a service restart. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
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
