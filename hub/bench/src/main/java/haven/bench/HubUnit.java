package haven.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JVM flags and environment production gives the hub, read from {@code systemd/haven-hub.service}, so
 * {@code bench footprint} measures exactly what a Pi runs and cannot drift from it. ExecStart's words between
 * the java binary and {@code -jar} are the flags ({@code $HAVEN_JAVA_OPTS}, empty by default, is dropped);
 * the AppCDS pair ({@code -XX:SharedArchiveFile=...}, {@code -XX:+AutoCreateSharedArchive}) is reported
 * separately, because the bench puts the archive in its own folder. {@code Environment=} lines are the
 * environment (e.g. glibc's malloc settings).
 */
record HubUnit(Path file, List<String> flags, boolean appCds, Map<String, String> environment) {

    static HubUnit read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hub's systemd unit " + file + " (give --jvm-flag instead)", e);
        }
        StringBuilder exec = null;
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines) {
            if (exec != null && exec.charAt(exec.length() - 1) == '\\') {
                exec.setLength(exec.length() - 1);
                exec.append(' ').append(line.strip());
            } else if (exec == null && line.startsWith("ExecStart=")) {
                exec = new StringBuilder(line.substring("ExecStart=".length()).strip());
            } else if (line.startsWith("Environment=")) {
                for (String pair : line.substring("Environment=".length()).strip().split("\\s+")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        env.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
            }
        }
        if (exec == null) {
            throw new IllegalStateException(file + " has no ExecStart= line");
        }
        String[] words = exec.toString().strip().split("\\s+");
        List<String> flags = new ArrayList<>();
        boolean cds = false;
        boolean jar = false;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            if (w.equals("-jar")) {
                jar = true;
                break;
            }
            if (w.equals("$HAVEN_JAVA_OPTS") || w.equals("${HAVEN_JAVA_OPTS}")) {
                continue;
            }
            if (w.startsWith("-XX:SharedArchiveFile=") || w.equals("-XX:+AutoCreateSharedArchive")) {
                cds = true;
                continue;
            }
            flags.add(w);
        }
        if (!jar) {
            throw new IllegalStateException(file + ": ExecStart does not run java ... -jar: " + exec);
        }
        return new HubUnit(file, List.copyOf(flags), cds, Map.copyOf(env));
    }

    /** The repository's unit: beside the bench's classes (hub/bench/target/classes), else under the working folder. */
    static Path defaultFile() {
        Path fromCode = repoRoot().resolve("systemd/haven-hub.service");
        return Files.exists(fromCode) ? fromCode : Path.of("systemd/haven-hub.service");
    }

    /** The repository's haven.jar, as {@code ./haven build} leaves it. */
    static Path defaultJar() {
        return repoRoot().resolve("hub/app/target/haven.jar");
    }

    private static Path repoRoot() {
        try {
            Path classes = Path.of(HubUnit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = classes.getParent() == null ? null : classes.getParent().getParent();
            root = root == null ? null : root.getParent();
            root = root == null ? null : root.getParent();
            return root != null ? root : Path.of("");
        } catch (Exception e) {
            return Path.of("");
        }
    }
}
