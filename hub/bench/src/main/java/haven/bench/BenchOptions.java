package haven.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every scenario shares: where its files go and how much it logs. */
final class BenchOptions {
    @Option(names = "--data", description = "parent folder of the scenario's temporary folder (default: java.io.tmpdir). "
            + "Put it on the disk you want to measure: SQLite commits fsync.")
    Path data;

    @Option(names = "--keep", description = "keep the temporary folder (databases, logs, mosquitto.conf) afterwards")
    boolean keep;

    @Option(names = "--log-level", defaultValue = "info",
            description = "Haven's log level; the log goes to haven.log in the temporary folder, as one line per event "
                    + "would in production (default: ${DEFAULT-VALUE})")
    String logLevel;
}
