package haven.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Haven JVM of its own ({@code java <flags> -cp <this class path> <main class> <args>}), so a test can
 * SIGKILL it like a power cut and a benchmark can measure it from outside. Either its output goes to a log
 * file ({@link #haven}) or its stdout lines are kept for {@link #awaitLine} and stdin is open for
 * {@link #send} ({@link #start}).
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final long startedNanos;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, long startedNanos, boolean captureStdout) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        if (captureStdout) {
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
    }

    /** `haven ARGS` with a small heap and quick start, stdout and stderr appended to {@code log}. */
    public static ChildJvm haven(Path log, String... args) throws IOException {
        List<String> command = command(currentJava(), List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), "haven.cli.HavenCli", args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long t0 = System.nanoTime();
        return new ChildJvm(builder.start(), t0, false);
    }

    /** Any main class of this class path; stdout is kept line by line, stderr goes to {@code stderr}. */
    public static ChildJvm start(String java, List<String> jvmFlags, Path stderr, String mainClass, String... args) throws IOException {
        return start(java, jvmFlags, Map.of(), stderr, mainClass, args);
    }

    /** As above, with {@code environment} added to this process's (e.g. a systemd unit's Environment= lines). */
    public static ChildJvm start(String java, List<String> jvmFlags, Map<String, String> environment, Path stderr,
                                 String mainClass, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(java, jvmFlags, mainClass, args)).redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        long t0 = System.nanoTime();
        Process process = builder.start();
        // Ctrl-C or SIGTERM on a benchmark must not leave a hub or a fleet of connections behind.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "child-jvm-stop-" + process.pid()));
        return new ChildJvm(process, t0, true);
    }

    private static List<String> command(String java, List<String> jvmFlags, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    public static String currentJava() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The next stdout line containing {@code marker}, or null after {@code timeout} or if the child exits. */
    public String awaitLine(String marker, Duration timeout) throws InterruptedException {
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

    public void send(String line) {
        stdin.println(line);
    }

    public long pid() {
        return process.pid();
    }

    public long startedNanos() {
        return startedNanos;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hooks, no clean disconnect, the Last Will fires. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (the shutdown hook closes cleanly), SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        stdin.close();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
