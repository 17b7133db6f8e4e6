package haven.cli;

import haven.store.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify-log", description = "Check the coordinator's hash-chained event log. Exit 0 intact, 1 broken.")
final class VerifyLogCommand implements Callable<Integer> {
    @Option(names = "--db", required = true, description = "coordinator SQLite file")
    Path db;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(db)) {
            throw new IllegalArgumentException("cannot read " + db);
        }
        // Read-only: verifying evidence must never change it.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db.toAbsolutePath() + "?mode=ro")) {
            EventLog.Verification result = EventLog.verify(c);
            if (result.intact()) {
                System.out.println("event log intact: " + result.checked() + " events, hash chain verified");
                return 0;
            }
            EventLog.Break b = result.firstBreak().orElseThrow();
            System.out.println("event log BROKEN at position " + b.position() + " (event " + b.eventId() + "): " + b.reason()
                    + "; " + result.checked() + " events before it are intact");
            return 1;
        }
    }
}
