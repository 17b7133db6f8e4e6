package haven.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Mosquitto, started by the bench on a free 127.0.0.1 port with a config written to the bench
 * folder. Its open-file limit is raised to the hard limit before exec: with the default 1,024 Mosquitto
 * stops near 1,015 clients (mosquitto #1505), which would cap the hubs scenario, not Haven.
 */
final class MosquittoProcess implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Process process;
    private final int port;

    private MosquittoProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    static MosquittoProcess start(Path dir) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalArgumentException("the bench needs Mosquitto at " + BINARY + " (apt-get install mosquitto)");
        }
        int port = freePort();
        Path conf = dir.resolve("mosquitto.conf");
        // Started as root, Mosquitto drops to the 'mosquitto' user, who cannot write into a private temp folder.
        String user = runningAsRoot() ? "user root\n" : "";
        Files.writeString(conf, """
                listener %d 127.0.0.1
                allow_anonymous true
                %smax_connections -1
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
                """.formatted(port, user, dir.resolve("mosquitto.log")));
        Process process = new ProcessBuilder("bash", "-c",
                "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null || true; exec " + BINARY + " -c \"$1\"", "mosquitto", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        // Ctrl-C or SIGTERM on the bench must not leave a broker behind.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "bench-broker-stop"));
        MosquittoProcess broker = new MosquittoProcess(process, port);
        broker.awaitListening(dir);
        return broker;
    }

    private void awaitListening(Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited at start: " + Files.readString(dir.resolve("mosquitto.out")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("mosquitto did not open port " + port + " within 10 s");
    }

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
