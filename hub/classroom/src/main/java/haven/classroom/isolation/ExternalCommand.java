package haven.classroom.isolation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system binary with an argument list (never through a shell, so no value is ever parsed as shell
 * syntax), optionally feeding stdin, with a hard timeout.
 */
public final class ExternalCommand {
    private static final int MAX_OUTPUT = 256 * 1024;

    public record Outcome(int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }

        /** The first line nft/ping printed on stderr (or stdout), for a calm one-line failure reason. */
        public String firstErrorLine() {
            String text = stderr.isBlank() ? stdout : stderr;
            return text.strip().lines().findFirst().orElse("no output");
        }
    }

    private ExternalCommand() {
    }

    public static Outcome run(List<String> argv, String stdin, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = Thread.ofVirtual().start(() -> drain(process.getInputStream(), out));
        Thread errReader = Thread.ofVirtual().start(() -> drain(process.getErrorStream(), err));
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The process may exit before reading stdin (e.g. a bad netns); its exit code says why.
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(1, TimeUnit.SECONDS);
            throw new IOException(argv.get(0) + " did not finish within " + timeout.toMillis() + " ms");
        }
        outReader.join(Duration.ofSeconds(1));
        errReader.join(Duration.ofSeconds(1));
        synchronized (out) {
            synchronized (err) {
                return new Outcome(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private static void drain(InputStream stream, ByteArrayOutputStream sink) {
        byte[] buffer = new byte[8192];
        try (stream) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                synchronized (sink) {
                    if (sink.size() < MAX_OUTPUT) {
                        sink.write(buffer, 0, Math.min(n, MAX_OUTPUT - sink.size()));
                    }
                }
            }
        } catch (IOException e) {
            // The process ended; what was read is what there is.
        }
    }

    /** Network namespace names as {@code ip netns} accepts them; checked so a name is never an option. */
    static String requireNetnsName(String field, String name) {
        if (name == null || !name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException(field + " must be a network namespace name like 'gw', got '" + name + "'");
        }
        return name;
    }
}
