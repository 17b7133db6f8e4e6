package haven.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How Database sets up a SQLite connection, where a setting costs every statement (issue 20). */
class DatabaseConnectionTest {
    @TempDir
    Path dir;

    /**
     * Haven reads what an insert made with RETURNING. With the driver's generated keys on, every insert was followed by
     * a fresh "SELECT last_insert_rowid()" the driver prepared, ran and finalised; off, the insert is the only statement.
     */
    @Test
    void anInsertRunsNoGeneratedKeysQueryBehindIt() throws Exception {
        try (Database db = Database.open(dir.resolve("t.db"), "db/platform-test")) {
            long id = db.inTransaction(c -> {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO notes(v) VALUES (?) RETURNING id")) {
                    insert.setString(1, "a");
                    long made;
                    try (ResultSet returned = insert.executeQuery()) {
                        returned.next();
                        made = returned.getLong(1);
                    }
                    try (PreparedStatement plain = c.prepareStatement("INSERT INTO notes(v) VALUES ('b')")) {
                        plain.executeUpdate();
                        try (ResultSet keys = plain.getGeneratedKeys()) {
                            assertFalse(keys.next(), "no generated-keys query ran after the insert");
                        }
                    }
                    return made;
                }
            });
            assertEquals(1, id, "RETURNING still gives what the insert made");
            assertEquals(2, (long) db.query(h -> h.createQuery("SELECT count(*) FROM notes").mapTo(Long.class).one()));
        }
    }
}
