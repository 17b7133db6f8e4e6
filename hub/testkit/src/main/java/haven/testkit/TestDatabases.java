package haven.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.store.Database;
import haven.store.DatabaseLocation;
import haven.store.Dialect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Coordinator stores for tests, on either database: SQLite files in the test's temp dir, or a real
 * PostgreSQL named by HAVEN_TEST_POSTGRES_URL / _USER / _PASSWORD (.ci/run starts one and sets them), with
 * a fresh schema per store that {@link #close} drops. Without those variables the PostgreSQL runs skip on
 * a developer machine and fail in CI, like {@link Mosquitto}.
 */
public final class TestDatabases implements AutoCloseable {
    private final Dialect dialect;
    private final Path dir;
    private final List<String> schemas = new ArrayList<>();

    public TestDatabases(Dialect dialect, Path dir) {
        this.dialect = dialect;
        this.dir = dir;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** A new empty store; {@code name} is the SQLite file name (without .db) or part of the schema name. */
    public TestDatabase create(String name) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            return new TestDatabase(DatabaseLocation.file(dir.resolve(name + ".db")));
        }
        String url = System.getenv("HAVEN_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            String why = "PostgreSQL tests need HAVEN_TEST_POSTGRES_URL (with _USER and _PASSWORD) naming an empty"
                    + " database the user owns";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run starts PostgreSQL and sets them");
            }
            Assumptions.abort(why + "; skipped (see .ci/run for a local setup)");
        }
        String schema = "haven_test_" + name.replaceAll("[^a-z0-9_]", "_") + "_"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (Connection c = DriverManager.getConnection(url, login()); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        schemas.add(schema);
        String scoped = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new TestDatabase(new DatabaseLocation(scoped, Optional.ofNullable(System.getenv("HAVEN_TEST_POSTGRES_USER")),
                Optional.ofNullable(System.getenv("HAVEN_TEST_POSTGRES_PASSWORD"))));
    }

    private static Properties login() {
        Properties props = new Properties();
        Optional.ofNullable(System.getenv("HAVEN_TEST_POSTGRES_USER")).ifPresent(u -> props.setProperty("user", u));
        Optional.ofNullable(System.getenv("HAVEN_TEST_POSTGRES_PASSWORD")).ifPresent(p -> props.setProperty("password", p));
        return props;
    }

    @Override
    public void close() throws SQLException {
        if (schemas.isEmpty()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(System.getenv("HAVEN_TEST_POSTGRES_URL"), login());
             Statement st = c.createStatement()) {
            for (String schema : schemas) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        schemas.clear();
    }

    /** One coordinator store. */
    public final class TestDatabase {
        private final DatabaseLocation location;

        private TestDatabase(DatabaseLocation location) {
            this.location = location;
        }

        public DatabaseLocation location() {
            return location;
        }

        /** Points a coordinator.yaml (as JSON) at this store. */
        public ObjectNode configure(ObjectNode coordinatorConfig) {
            coordinatorConfig.put("database", location.location());
            location.user().ifPresent(u -> coordinatorConfig.put("databaseUser", u));
            location.password().ifPresent(p -> coordinatorConfig.put("databasePassword", p));
            // The test signing key in the test's folder (with PostgreSQL the default would be /var/lib/haven).
            Stack.testSigningKey(coordinatorConfig, dir);
            return coordinatorConfig;
        }

        /** Opens it the way the coordinator does, applying the migrations. */
        public Database open() throws SQLException {
            return location.open("db/coordinator");
        }

        /** A plain auto-commit connection, as someone with direct access to the database would have. */
        public Connection connect() throws SQLException {
            if (dialect == Dialect.SQLITE) {
                return DriverManager.getConnection("jdbc:sqlite:" + location.file());
            }
            Properties props = new Properties();
            location.user().ifPresent(u -> props.setProperty("user", u));
            location.password().ifPresent(p -> props.setProperty("password", p));
            return DriverManager.getConnection(location.location(), props);
        }

        /** The arguments that point `haven verify-log` at this store. */
        public List<String> verifyLogArgs() throws IOException {
            if (dialect == Dialect.SQLITE) {
                return List.of("--db", location.file().toString());
            }
            List<String> args = new ArrayList<>(List.of("--url", location.location()));
            if (location.user().isPresent()) {
                args.addAll(List.of("--user", location.user().get()));
            }
            if (location.password().isPresent()) {
                Path file = Files.createTempFile(dir, "pg", ".password");
                Files.writeString(file, location.password().get() + "\n");
                args.addAll(List.of("--password-file", file.toString()));
            }
            return args;
        }

        /**
         * What someone with owner rights would run to get past the append-only guard and rewrite the log
         * (the chain, not the triggers, is what proves it was not).
         */
        public List<String> dropGuards() {
            return dialect == Dialect.SQLITE
                    ? List.of("DROP TRIGGER IF EXISTS events_no_update", "DROP TRIGGER IF EXISTS events_no_delete")
                    : List.of("ALTER TABLE events DISABLE TRIGGER USER", "ALTER TABLE events ALTER COLUMN pos SET GENERATED BY DEFAULT");
        }
    }
}
