package haven.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SQLite file with the durability Haven needs for evidence: WAL and synchronous=FULL, so a commit
 * that returned survives power loss. SQLite has one writer at a time, so the connection is shared
 * behind a lock rather than pooled. Or, for several coordinators sharing one store, a PostgreSQL
 * database by JDBC URL (docs/SCALING.md): the same one-connection shape, its own migration files, and
 * the SQL differences in {@link Dialect}.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    /** Two coordinators starting together on one PostgreSQL database must not both apply a migration. */
    private static final long MIGRATION_LOCK = 0x686176656e2d6d69L;

    private final Path file;
    private final String name;
    private final Dialect dialect;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    private Database(Path file, String name, Dialect dialect, Connection connection) {
        this.file = file;
        this.name = name;
        this.dialect = dialect;
        this.connection = connection;
    }

    /** Opens (creating if needed) the file and applies the numbered migrations under {@code migrationsDir}. */
    public static Database open(Path file, String migrationsDir) throws SQLException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new SQLException("cannot create the folder for " + file + ": " + e.getMessage(), e);
        }
        // IMMEDIATE: a transaction takes the write lock when it begins, so two processes on one file (two
        // coordinators, or the CLI beside a running coordinator) queue up instead of both reading the same
        // chain head and one failing at commit. busy_timeout below is how long they queue.
        java.util.Properties props = new java.util.Properties();
        props.setProperty("transaction_mode", "IMMEDIATE");
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            st.execute("PRAGMA busy_timeout=5000");
            st.execute("PRAGMA foreign_keys=ON");
        }
        Database db = new Database(file, String.valueOf(file.getFileName()), Dialect.SQLITE, connection);
        db.migrate(migrationsDir);
        return db;
    }

    /**
     * Opens a PostgreSQL database ({@code jdbc:postgresql://host:port/db}, user and password in
     * {@code props}) and applies the numbered migrations under {@code migrationsDir + "-postgresql"}: the
     * same versions as the SQLite files, giving the same tables, columns and append-only guards.
     */
    public static Database open(String jdbcUrl, Properties props, String migrationsDir) throws SQLException {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database URL must start with jdbc:postgresql: (or give a SQLite file path), got "
                    + redacted(jdbcUrl));
        }
        Connection connection = DriverManager.getConnection(jdbcUrl, props);
        try {
            // Evidence: a commit that returned is on disk (the server default, set here so a tuned server
            // cannot quietly trade it away for this session), and ingest keeps PostgreSQL's READ COMMITTED.
            try (Statement st = connection.createStatement()) {
                st.execute("SET synchronous_commit = on");
            }
            Database db = new Database(null, redacted(jdbcUrl), Dialect.POSTGRESQL, connection);
            db.migrate(migrationsDir);
            return db;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /** A URL fit for logs and messages: without any password= parameter. */
    static String redacted(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** The SQLite file; PostgreSQL has none. */
    public Path file() {
        if (file == null) {
            throw new IllegalStateException("database " + name + " is PostgreSQL, not a SQLite file");
        }
        return file;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Runs {@code work} in one transaction; rolls back if it throws. */
    public <T> T inTransaction(SqlWork<T> work) throws SQLException {
        lock.lock();
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs a read (or a single auto-committed statement) under the connection lock. */
    public <T> T read(SqlWork<T> work) throws SQLException {
        lock.lock();
        try {
            return work.run(connection);
        } finally {
            lock.unlock();
        }
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private void migrate(String dir) throws SQLException {
        String versions = dialect.migrations(dir);
        inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                if (dialect == Dialect.POSTGRESQL) {
                    st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                }
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            }
            int current;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                current = rs.next() ? rs.getInt(1) : 0;
            }
            for (int version = current + 1; ; version++) {
                String sql = resource(versions + "/V" + version + ".sql");
                if (sql == null) {
                    break;
                }
                try (Statement st = c.createStatement()) {
                    for (String statement : statements(sql)) {
                        st.execute(statement);
                    }
                    st.execute("INSERT INTO schema_version(version) VALUES (" + version + ")");
                }
                log.info("migration applied db={} version={}", name, version);
            }
            return null;
        });
    }

    /**
     * A migration file's statements: each ends with a semicolon at the end of a line, except inside a
     * PostgreSQL dollar-quoted function body ($$ ... $$), whose own statements end with semicolons too.
     */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inBody = false;
        for (String line : sql.split("\n", -1)) {
            current.append(line).append('\n');
            String trimmed = line.strip();
            if (!trimmed.startsWith("--")) {
                for (int at = line.indexOf("$$"); at >= 0; at = line.indexOf("$$", at + 2)) {
                    inBody = !inBody;
                }
            }
            if (!inBody && !trimmed.startsWith("--") && trimmed.endsWith(";")) {
                add(out, current);
            }
        }
        add(out, current);
        return out;
    }

    private static void add(List<String> out, StringBuilder current) {
        String statement = current.toString().strip();
        if (statement.endsWith(";")) {
            statement = statement.substring(0, statement.length() - 1);
        }
        if (!statement.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--"))) {
            out.add(statement);
        }
        current.setLength(0);
    }

    private static String resource(String path) {
        try (InputStream in = Database.class.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + path, e);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("close failed db={} reason={}", name, e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
