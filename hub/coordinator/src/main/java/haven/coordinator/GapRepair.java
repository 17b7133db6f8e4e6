package haven.coordinator;

import haven.protocol.Command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes gaps in a hub's sequence by asking the hub to send the missing events again (cmd/resend).
 * It covers what the broker's acknowledgement cannot: events a broker accepted but never delivered
 * (a broker without persistence restarted, or the coordinator's session did not exist yet). The hub
 * keeps every event in its outbox, so it can always answer; the log ignores duplicates by id.
 */
public final class GapRepair implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GapRepair.class);
    private static final int MAX_RANGES_PER_ROOM = 5;
    /** Unanswered passes before repair stops asking a room (40 x 15 s = 10 minutes) and says so on the room. */
    public static final int MAX_ASKS = 40;
    private static final StaffSession SYSTEM = new StaffSession("-", "coordinator", Role.COORDINATOR, "-", Instant.MAX,
            java.util.Set.of());

    private final Database db;
    private final Rooms rooms;
    private final CommandSender commands;
    private final java.time.Clock clock;
    private final int maxAsks;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gap-repair");
        t.setDaemon(true);
        return t;
    });

    public GapRepair(Database db, Rooms rooms, CommandSender commands) {
        this(db, rooms, commands, java.time.Clock.systemUTC(), MAX_ASKS);
    }

    public GapRepair(Database db, Rooms rooms, CommandSender commands, java.time.Clock clock, int maxAsks) {
        this.db = db;
        this.rooms = rooms;
        this.commands = commands;
        this.clock = clock;
        this.maxAsks = maxAsks;
    }

    public void start(Duration every) {
        timer.scheduleWithFixedDelay(this::repairOnce, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass: for every online room with a gap, request its missing ranges. */
    public int repairOnce() {
        int requested = 0;
        try {
            for (RoomId room : db.query(rooms::roomsWithGaps)) {
                if (!db.transaction(c -> rooms.askAgain(c, room, maxAsks, clock.instant()))) {
                    log.warn("gap repair stopped asking room={} asks={}", room, maxAsks);
                    continue;
                }
                List<long[]> ranges = db.query(c -> rooms.missingRanges(c, room, MAX_RANGES_PER_ROOM));
                for (long[] range : ranges) {
                    long to = Math.min(range[1], range[0] + Command.MAX_RESEND - 1);
                    ObjectNode args = Json.object();
                    args.put("from", range[0]);
                    args.put("to", to);
                    if (commands.send(room, CommandName.RESEND, SYSTEM, args)) {
                        requested++;
                        log.info("resend requested room={} from={} to={}", room, range[0], to);
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("gap repair pass failed reason={}", e.getMessage());
        }
        return requested;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
