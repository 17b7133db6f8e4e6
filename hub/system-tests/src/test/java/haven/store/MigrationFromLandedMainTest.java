package haven.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import haven.cli.HavenCli;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files made by the code as it landed before Flyway (commit 0b17765, home-made migrator, table
 * {@code schema_version}): a demo run with presses, categories, an acknowledgement, a close with outcome,
 * notes, URL and nature, an isolation with two sign-offs, an export and audit rows. Opening them with Flyway
 * must keep every row of every table, leave the evidence chain verifying, and apply nothing twice.
 */
class MigrationFromLandedMainTest {
    @TempDir
    Path dir;

    @Test
    void coordinatorDatabaseKeepsEveryRowAndAVerifyingChain() throws Exception {
        Path file = fixture("coordinator.db");
        Map<String, Long> before = rowCounts(file);
        assertEquals(20L, before.get("events"), "the fixture is the one described above");

        long history;
        try (Database db = Database.open(file, "db/coordinator")) {
            assertEquals(Integer.valueOf(6), db.read(c -> baselineVersion(c)), "baselined at the version the old migrator recorded");
            history = db.read(c -> count(c, "flyway_schema_history"));
        }
        try (Database db = Database.open(file, "db/coordinator")) {
            assertEquals(Long.valueOf(history), db.read(c -> count(c, "flyway_schema_history")), "a second open applies nothing");
        }
        Map<String, Long> after = rowCounts(file);
        after.keySet().retainAll(before.keySet()); // later migrations may add tables; the old ones keep their rows
        assertEquals(before, after, "every table keeps every row");
        assertEquals(0, HavenCli.run("verify-log", "--db", file.toString()));

        // A decision taken before decisions were chained is kept as it stood at the upgrade: rewriting it after
        // is caught, as a chained one would be.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE incidents SET acked_by = 'someone-else' WHERE acked_by IS NOT NULL");
        }
        assertEquals(1, HavenCli.run("verify-log", "--db", file.toString()));
    }

    @Test
    void hubOutboxKeepsEveryEvent() throws Exception {
        Path file = fixture("hub-demo-school-year3-oak.db");
        Map<String, Long> before = rowCounts(file);
        try (Database db = Database.open(file, "db/hub")) {
            assertEquals(Integer.valueOf(2), db.read(c -> baselineVersion(c)));
        }
        Map<String, Long> after = rowCounts(file);
        after.keySet().retainAll(before.keySet());
        assertEquals(before, after);
        assertTrue(before.get("outbox") > 0);
    }

    @Test
    void aNewFileGetsEveryMigrationFromFlyway() throws Exception {
        try (Database db = Database.open(dir.resolve("new.db"), "db/coordinator")) {
            // Every numbered migration from V1, none baselined: at least the six the landed code had.
            assertEquals(Long.valueOf(0), db.read(c -> count(c, "flyway_schema_history WHERE type = 'BASELINE'")));
            assertTrue(db.read(c -> count(c, "flyway_schema_history WHERE success = 1")) >= 6);
            assertTrue(db.read(c -> db.dialect().hasTable(c, "events")).booleanValue());
        }
    }

    private Path fixture(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/made-by-0b17765/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    private static int baselineVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE type = 'BASELINE'")) {
            return rs.next() ? Integer.parseInt(rs.getString(1)) : -1;
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Long> rowCounts(Path file) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            List<String> tables = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                counts.put(table, count(c, table));
            }
        }
        return counts;
    }
}
