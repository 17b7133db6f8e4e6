package haven.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A scenario's temporary folder: databases, broker config and logs. Removed afterwards unless --keep. */
final class Workspace implements AutoCloseable {
    private final Path dir;
    private final boolean keep;

    private Workspace(Path dir, boolean keep) {
        this.dir = dir;
        this.keep = keep;
    }

    /**
     * Creates the folder and sends Haven's log to a file in it. Set before the first logger exists:
     * slf4j-simple reads its settings once. The log stays on (one line per event, as in production) so its
     * cost is part of what is measured, but it does not flood the terminal with the figures.
     */
    static Workspace create(BenchOptions options, String scenario) {
        try {
            Path parent = options.data != null ? options.data : Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(parent);
            Path dir = Files.createTempDirectory(parent, "haven-bench-" + scenario + "-");
            // An explicit -Dorg.slf4j.simpleLogger.logFile (e.g. System.err) wins.
            if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
                System.setProperty("org.slf4j.simpleLogger.logFile", dir.resolve("haven.log").toString());
            }
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel);
            return new Workspace(dir, options.keep);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the bench folder: " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    Path resolve(String name) {
        return dir.resolve(name);
    }

    @Override
    public void close() {
        if (keep) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
