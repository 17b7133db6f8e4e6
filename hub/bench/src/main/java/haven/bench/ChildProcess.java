package haven.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code java <flags> -cp <this classpath> <main class> <args>}: a Haven JVM the bench measures from outside. */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final long startedNanos;

    private ChildProcess(Process process, long startedNanos) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon(true).name("child-stdout-" + process.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child exited
            }
        });
    }

    static ChildProcess start(String java, List<String> jvmFlags, Path stderr, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        long t0 = System.nanoTime();
        Process process = builder.start();
        // Ctrl-C or SIGTERM on the bench must not leave a hub or a fleet of connections behind.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "bench-child-stop"));
        return new ChildProcess(process, t0);
    }

    static String currentJava() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The next stdout line containing {@code marker}, or null after {@code timeout} or if the child exits. */
    String awaitLine(String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(marker)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                return null;
            }
        }
        return null;
    }

    void send(String line) {
        stdin.println(line);
    }

    long pid() {
        return process.pid();
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM (the shutdown hook closes cleanly), SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        stdin.close();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
