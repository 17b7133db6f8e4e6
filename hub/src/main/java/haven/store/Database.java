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
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SQLite file with the durability Haven needs for evidence: WAL and synchronous=FULL, so a commit
 * that returned survives power loss. SQLite has one writer at a time, so the connection is shared
 * behind a lock rather than pooled.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final Path file;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    private Database(Path file, Connection connection) {
        this.file = file;
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
        Database db = new Database(file, connection);
        db.migrate(migrationsDir);
        return db;
    }

    public Path file() {
        return file;
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
        inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            }
            int current;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                current = rs.next() ? rs.getInt(1) : 0;
            }
            for (int version = current + 1; ; version++) {
                String sql = resource(dir + "/V" + version + ".sql");
                if (sql == null) {
                    break;
                }
                try (Statement st = c.createStatement()) {
                    for (String statement : sql.split(";\\s*(\\n|$)")) {
                        if (!statement.isBlank()) {
                            st.execute(statement);
                        }
                    }
                    st.execute("INSERT INTO schema_version(version) VALUES (" + version + ")");
                }
                log.info("migration applied db={} version={}", file.getFileName(), version);
            }
            return null;
        });
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
            log.warn("close failed db={} reason={}", file, e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
