package haven.bench;

import haven.coordinator.Coordinator;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/** What the coordinator's own rooms table says is online: presence as staff would see it. */
final class OnlineRooms {
    private OnlineRooms() {
    }

    static long count(Coordinator coordinator) {
        try {
            return coordinator.database().read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM rooms WHERE online = 1");
                     ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            });
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Waits (polling every 200 ms, bounded by {@code timeout}) until at least {@code n} rooms are online. */
    static long await(Coordinator coordinator, long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long online = count(coordinator);
        while (online < n && System.nanoTime() < deadline) {
            Thread.sleep(200);
            online = count(coordinator);
        }
        return online;
    }
}
