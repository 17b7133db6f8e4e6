package haven.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the coordinator's store is: a SQLite file path (the default, one coordinator), or a PostgreSQL
 * database by JDBC URL ({@code jdbc:postgresql://host:port/db}) with its login, for several coordinators
 * sharing one store (docs/SCALING.md).
 */
public record DatabaseLocation(String location, Optional<String> user, Optional<String> password) {
    public static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

    public DatabaseLocation {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("database must be a SQLite file path or a jdbc:postgresql:// URL");
        }
        if (location.startsWith("jdbc:") && !location.startsWith(POSTGRESQL_PREFIX)) {
            throw new IllegalArgumentException("database must be a SQLite file path or a jdbc:postgresql:// URL, got "
                    + Database.redacted(location));
        }
    }

    public static DatabaseLocation file(Path file) {
        return new DatabaseLocation(file.toString(), Optional.empty(), Optional.empty());
    }

    public boolean isPostgresql() {
        return location.startsWith(POSTGRESQL_PREFIX);
    }

    /** The SQLite file. */
    public Path file() {
        if (isPostgresql()) {
            throw new IllegalStateException("database is PostgreSQL, not a SQLite file");
        }
        return Path.of(location);
    }

    public Database open(String migrationsDir) throws SQLException {
        if (!isPostgresql()) {
            return Database.open(file(), migrationsDir);
        }
        Properties props = new Properties();
        user.ifPresent(u -> props.setProperty("user", u));
        password.ifPresent(p -> props.setProperty("password", p));
        return Database.open(location, props, migrationsDir);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return Database.redacted(location) + user.map(u -> " as " + u).orElse("");
    }
}
