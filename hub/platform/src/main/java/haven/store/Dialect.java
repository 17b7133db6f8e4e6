package haven.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The SQL that differs between the two databases the coordinator runs on, in one place: SQLite (one file,
 * the default) and PostgreSQL (several coordinators sharing one server, docs/SCALING.md). Everything else
 * the repository classes write is plain SQL both accept (ON CONFLICT, RETURNING, partial unique indexes).
 */
public enum Dialect {
    SQLITE,
    POSTGRESQL;

    /**
     * Which database a connection talks to. Repository classes are handed a connection inside a
     * transaction, so they ask it rather than carry the dialect; both drivers answer from memory.
     */
    /** The same question asked of a declared-SQL handle's connection. */
    public static Dialect of(org.jdbi.v3.core.Handle h) throws SQLException {
        return of(h.getConnection());
    }

    public static Dialect of(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        if ("PostgreSQL".equals(product)) {
            return POSTGRESQL;
        }
        if ("SQLite".equals(product)) {
            return SQLITE;
        }
        throw new SQLException("unsupported database " + product + ": Haven runs on SQLite or PostgreSQL");
    }

    /**
     * A statement whose text differs by dialect, formatted once for each when its class loads, not once per use: the
     * ingest path runs several per event, and formatting them cost more than binding them (issue 20).
     */
    public static java.util.Map<Dialect, String> each(java.util.function.Function<Dialect, String> sql) {
        java.util.EnumMap<Dialect, String> texts = new java.util.EnumMap<>(Dialect.class);
        for (Dialect dialect : values()) {
            texts.put(dialect, sql.apply(dialect));
        }
        return java.util.Collections.unmodifiableMap(texts);
    }

    /** The larger of two values: SQLite's scalar two-argument max(), PostgreSQL's GREATEST. */
    public String greatest(String a, String b) {
        return switch (this) {
            case SQLITE -> "max(" + a + ", " + b + ")";
            case POSTGRESQL -> "GREATEST(" + a + ", " + b + ")";
        };
    }

    /**
     * A string field inside a JSON text column, e.g. {@code jsonText("payload", "data", "report")}. Payloads
     * stay TEXT on PostgreSQL (not jsonb) so the canonical JSON the hash chain covers is stored byte for byte.
     */
    public String jsonText(String column, String... path) {
        for (String key : path) {
            if (!key.matches("[A-Za-z0-9_]+")) {
                throw new IllegalArgumentException("JSON path keys are identifiers, got '" + key + "'");
            }
        }
        return switch (this) {
            case SQLITE -> "json_extract(" + column + ", '$." + String.join(".", path) + "')";
            case POSTGRESQL -> {
                StringBuilder sql = new StringBuilder("(").append(column).append("::json");
                for (int i = 0; i < path.length; i++) {
                    sql.append(i == path.length - 1 ? " ->> '" : " -> '").append(path[i]).append('\'');
                }
                yield sql.append(')').toString();
            }
        };
    }

    /** Minutes from one ISO-8601 UTC text timestamp column to another, as a fractional number. */
    public String minutesBetween(String from, String to) {
        return switch (this) {
            case SQLITE -> "((julianday(" + to + ") - julianday(" + from + ")) * 1440)";
            case POSTGRESQL -> "(EXTRACT(EPOCH FROM (" + to + "::timestamptz - " + from + "::timestamptz)) / 60)";
        };
    }

    /** True if the named table exists in the schema the connection works in. */
    public boolean hasTable(org.jdbi.v3.core.Handle h, String table) throws SQLException {
        return hasTable(h.getConnection(), table);
    }

    public boolean hasTable(Connection c, String table) throws SQLException {
        String sql = switch (this) {
            case SQLITE -> "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";
            case POSTGRESQL -> "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?";
        };
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Makes the caller's transaction the only writer of the hash-chained event log until it ends. SQLite
     * already has one writer per file (transactions BEGIN IMMEDIATE). PostgreSQL runs writers side by side,
     * so two coordinators would both read the same chain head and fork the chain: a transaction-scoped
     * advisory lock queues them instead, and READ COMMITTED lets the next one see the head just committed.
     */
    public void lockEventLog(org.jdbi.v3.core.Handle h) throws SQLException {
        lockEventLog(h.getConnection());
    }

    public void lockEventLog(Connection c) throws SQLException {
        if (this == POSTGRESQL) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + EVENT_LOG_LOCK + ")");
            }
        }
    }

    /** The Flyway location of this dialect's numbered migrations: {@code dir/sqlite} or {@code dir/postgresql}. */
    String migrations(String dir) {
        return "classpath:" + dir + (this == POSTGRESQL ? "/postgresql" : "/sqlite");
    }

    /** Any fixed number both coordinators agree on; spells "haven-ev" so it is recognisable in pg_locks. */
    static final long EVENT_LOG_LOCK = 0x686176656e2d6576L;
}
