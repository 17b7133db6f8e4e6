package haven.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
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

    private final Path file;
    private final String name;
    private final Dialect dialect;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    /** Jdbi over the one connection, made on first use (a hub never declares SQL through it), guarded by the lock. */
    private Handle handle;

    private Database(Path file, String name, Dialect dialect, Connection connection) {
        this.file = file;
        this.name = name;
        this.dialect = dialect;
        this.connection = connection;
    }

    /** Opens (creating if needed) the file and applies the numbered migrations under {@code migrationsDir/sqlite}. */
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
        Properties props = new Properties();
        props.setProperty("transaction_mode", "IMMEDIATE");
        // Haven reads what an insert made with RETURNING, never getGeneratedKeys(); left on, the driver matched every
        // statement's text against INSERT and ran a fresh "SELECT last_insert_rowid()" after each insert (prepared,
        // stepped and finalised: a fifth of the coordinator's ingest time in issue 20's profile).
        props.setProperty("jdbc.get_generated_keys", "false");
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            st.execute("PRAGMA busy_timeout=5000");
            st.execute("PRAGMA foreign_keys=ON");
        }
        Database db = new Database(file, String.valueOf(file.getFileName()), Dialect.SQLITE, connection);
        db.migrate("jdbc:sqlite:" + file.toAbsolutePath(), new Properties(), migrationsDir);
        return db;
    }

    /**
     * Opens a PostgreSQL database ({@code jdbc:postgresql://host:port/db}, user and password in
     * {@code props}) and applies the numbered migrations under {@code migrationsDir/postgresql}: the
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
            db.migrate(jdbcUrl, props, migrationsDir);
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

    /**
     * Runs {@code work} in one transaction with the declared-SQL handle; rolls back if it throws. Jdbi's
     * unchecked wrappers are unwrapped to the {@link SQLException} they carry, so a caller that answers
     * "database unavailable" or a unique-key clash sees the same exception whichever way the SQL was run.
     */
    public <T> T transaction(HandleWork<T> work) throws SQLException {
        return inTransaction(c -> unwrapped(work));
    }

    /** Runs a read (or a single auto-committed statement) with the declared-SQL handle under the lock. */
    public <T> T query(HandleWork<T> work) throws SQLException {
        return read(c -> unwrapped(work));
    }

    private <T> T unwrapped(HandleWork<T> work) throws SQLException {
        try {
            return work.run(handle());
        } catch (JdbiException e) {
            if (e.getCause() instanceof SQLException cause) {
                cause.addSuppressed(e);
                throw cause;
            }
            throw e;
        }
    }

    private Handle handle() {
        if (handle == null) {
            // The handle borrows the one connection for the database's life; closing it (in close()) closes
            // the connection, and Database, not Jdbi, begins and ends each transaction on it.
            handle = SqlTypes.configure(Jdbi.create(() -> connection)).open();
        }
        return handle;
    }

    @FunctionalInterface
    public interface HandleWork<T> {
        T run(Handle handle) throws SQLException;
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Applies the numbered migrations with Flyway (its history in {@code flyway_schema_history}). A file made
     * before Flyway carries the home-made migrator's {@code schema_version} table instead: Flyway baselines
     * it at the version it records, so such a file keeps every row and only later migrations run on it.
     * Flyway opens its own short-lived connection from the URL; on PostgreSQL it also takes its own advisory
     * lock, so two coordinators starting together never both apply a migration.
     */
    private void migrate(String url, Properties props, String dir) throws SQLException {
        FluentConfiguration flyway = Flyway.configure(Database.class.getClassLoader())
                .dataSource(url, props.getProperty("user"), props.getProperty("password"))
                .locations(dialect.migrations(dir))
                .failOnMissingLocations(true);
        OptionalInt legacy = read(this::legacyVersion);
        if (legacy.isPresent()) {
            flyway.baselineOnMigrate(true)
                    .baselineVersion(String.valueOf(legacy.getAsInt()))
                    .baselineDescription("schema_version " + legacy.getAsInt() + " (before Flyway)");
            log.info("database made before Flyway db={} version={}: baselined there", name, legacy.getAsInt());
        }
        try {
            MigrateResult result = flyway.load().migrate();
            if (result.migrationsExecuted > 0) {
                log.info("migrations applied db={} count={} version={}", name, result.migrationsExecuted, result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            throw new SQLException("cannot migrate database " + name + ": " + e.getMessage(), e);
        }
    }

    /** The version the pre-Flyway migrator recorded, when this file has its table and no Flyway history yet. */
    private OptionalInt legacyVersion(Connection c) throws SQLException {
        if (!dialect.hasTable(c, "schema_version") || dialect.hasTable(c, "flyway_schema_history")) {
            return OptionalInt.empty();
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM schema_version")) {
            int version = rs.next() ? rs.getInt(1) : 0;
            return version > 0 ? OptionalInt.of(version) : OptionalInt.empty();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (handle != null) {
                handle.close();
            } else {
                connection.close();
            }
        } catch (SQLException | JdbiException e) {
            log.warn("close failed db={} reason={}", name, e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
