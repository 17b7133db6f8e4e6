package haven.cli;

import haven.store.DatabaseLocation;
import haven.store.SqlTypes;
import org.jdbi.v3.core.Handle;
import haven.coordinator.evidence.EvidenceCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify-log", description = "Check the coordinator's evidence: event chain, stored columns, audit chain, incidents against staff decisions, the tables rebuilt from the log, and (--hub-db) what each hub witnessed. Exit 0 intact, 1 broken.")
final class VerifyLogCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Where where;

    static final class Where {
        @Option(names = "--db", description = "coordinator SQLite file")
        Path db;

        @Option(names = "--url", description = "coordinator PostgreSQL database, jdbc:postgresql://host:port/database")
        String url;
    }

    @Option(names = "--hub-db", description = "a classroom hub's SQLite file (repeatable): its sent events and the chain heads it witnessed must be in the log")
    java.util.List<Path> hubDbs = new java.util.ArrayList<>();

    @Option(names = "--user", description = "PostgreSQL user (with --url)")
    String user;

    @Option(names = "--password-file", description = "file holding the PostgreSQL password on its first line (with --url)")
    Path passwordFile;

    @Override
    public Integer call() throws Exception {
        for (Path hub : hubDbs) {
            if (!Files.isReadable(hub)) {
                throw new IllegalArgumentException("cannot read hub database " + hub);
            }
        }
        try (Handle c = SqlTypes.open(connect())) {
            EvidenceCheck.Result result = EvidenceCheck.run(c, hubDbs);
            if (where.url != null) {
                c.getConnection().rollback();
            }
            if (result.intact()) {
                System.out.println("event log intact: " + result.events() + " events, hash chain verified; "
                        + result.auditRows() + " audit rows chained; " + result.incidents() + " incidents match the staff decisions in the log;"
                        + " incidents, rooms, isolations and case work match the log rebuilt"
                        + (hubDbs.isEmpty() ? "" : "; " + hubDbs.size() + " hub database(s): " + result.hubEventsWitnessed()
                        + " sent events logged, " + result.headsWitnessed() + " witnessed heads in the chain"));
                return 0;
            }
            EvidenceCheck.Finding f = result.finding().orElseThrow();
            System.out.println("evidence BROKEN in table " + f.table() + " at " + f.row() + ": " + f.reason());
            return 1;
        }
    }

    /** Read-only: verifying evidence must never change it. */
    private Connection connect() throws Exception {
        if (where.db != null) {
            if (user != null || passwordFile != null) {
                throw new IllegalArgumentException("--user and --password-file go with --url, not --db");
            }
            if (!Files.isReadable(where.db)) {
                throw new IllegalArgumentException("cannot read " + where.db);
            }
            return DriverManager.getConnection("jdbc:sqlite:file:" + where.db.toAbsolutePath() + "?mode=ro");
        }
        if (!where.url.startsWith(DatabaseLocation.POSTGRESQL_PREFIX)) {
            throw new IllegalArgumentException("--url must be a jdbc:postgresql://host:port/database URL (use --db for a SQLite file)");
        }
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (passwordFile != null) {
            if (!Files.isReadable(passwordFile)) {
                throw new IllegalArgumentException("cannot read " + passwordFile);
            }
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            props.setProperty("password", password);
        }
        Connection c;
        try {
            c = DriverManager.getConnection(where.url, props);
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot connect to " + new DatabaseLocation(where.url, java.util.Optional.empty(),
                    java.util.Optional.empty()) + ": " + e.getMessage(), e);
        }
        // One read-only snapshot: the checkpoint and every row are read as of the same moment, while
        // coordinators keep appending.
        c.setReadOnly(true);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setAutoCommit(false);
        return c;
    }
}
