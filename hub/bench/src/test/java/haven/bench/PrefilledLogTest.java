package haven.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefilledLogTest {
    /**
     * The prefilled log must look like one a coordinator ingested: every room's seqs 1..n logged, so the gap
     * check (last_seq minus the per-room counter) sees no gap and the measured run does no repair work an
     * empty log would not.
     */
    @Test
    void everyRoomsCounterSaysAllItsSeqsAreLogged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("coordinator.db");
        long[] seq = PrefilledLog.build(file, 103, 4, "pre", Clock.systemUTC());
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
             var rs = c.createStatement().executeQuery("SELECT room, last_seq, logged_seqs FROM rooms ORDER BY room")) {
            int rooms = 0;
            while (rs.next()) {
                assertEquals(seq[rooms], rs.getLong(2), rs.getString(1));
                assertEquals(rs.getLong(2), rs.getLong(3), "logged_seqs of " + rs.getString(1));
                rooms++;
            }
            assertEquals(4, rooms);
        }
    }
}
