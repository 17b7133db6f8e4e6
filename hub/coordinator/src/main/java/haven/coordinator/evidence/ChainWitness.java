package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import haven.mqtt.MqttLink;
import haven.mqtt.PublishFailed;
import haven.protocol.ChainHead;
import haven.protocol.Topics;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the head of the evidence chain to every site (retained, haven/v1/{site}/_site/chain-head) so
 * the hubs witness it: regularly when the log moved, and on every (re)connect. The hash at a position
 * commits to every row before it, so a head a hub kept shows whether the log it came from was later
 * rewritten, re-chained or truncated (docs/EVIDENCE.md, `haven verify-log --hub-db`). The same head rides
 * in every command ({@link haven.coordinator.CommandSender}).
 */
public final class ChainWitness implements AutoCloseable {
    private static final String HEAD = "SELECT pos, hash FROM events ORDER BY pos DESC LIMIT 1";
    private static final String SITES = "SELECT DISTINCT site FROM rooms";

    private static final Logger log = LoggerFactory.getLogger(ChainWitness.class);

    private final Database db;
    private final MqttLink mqtt;
    private final Clock clock;
    private final Set<String> configuredSites;
    private final haven.protocol.CoordinatorSigner signer;
    private final AtomicLong lastPublished = new AtomicLong(-1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chain-witness");
        t.setDaemon(true);
        return t;
    });

    public ChainWitness(Database db, MqttLink mqtt, Clock clock, Set<String> configuredSites, haven.protocol.CoordinatorSigner signer) {
        this.db = db;
        this.signer = signer;
        this.mqtt = mqtt;
        this.clock = clock;
        this.configuredSites = Set.copyOf(configuredSites);
    }

    /** The last row of the log, read inside the caller's connection; empty for an empty log. */
    public static Optional<ChainHead> head(Handle c, Clock clock) throws SQLException {
        return c.createQuery(HEAD).map((rs, ctx) -> new ChainHead(rs.getLong(1), rs.getString(2), clock.instant())).findOne();
    }

    /** The head now, for a command about to be sent; empty if the log is empty or cannot be read. */
    public Optional<ChainHead> current() {
        try {
            return db.query(c -> head(c, clock));
        } catch (SQLException e) {
            log.warn("chain head not read reason={}", e.getMessage());
            return Optional.empty();
        }
    }

    public void start(Duration every) {
        mqtt.onConnected(() -> timer.execute(() -> publish(true)));
        timer.scheduleWithFixedDelay(() -> publish(false), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes the head to every site now if it moved since the last time (or always, when forced). */
    public void publish(boolean force) {
        try {
            Optional<ChainHead> head = current();
            if (head.isEmpty() || (!force && head.get().position() == lastPublished.get()) || !mqtt.isConnected()) {
                return;
            }
            Set<String> sites = new TreeSet<>(configuredSites);
            sites.addAll(db.query(c -> {
                return c.createQuery(SITES).mapTo(String.class).list();
            }));
            for (String site : sites) {
                mqtt.publish(Topics.chainHead(site), signer.sign(Topics.chainHead(site), head.get().encode()), true);
            }
            lastPublished.set(head.get().position());
            log.info("chain head published position={} sites={}", head.get().position(), sites.size());
        } catch (SQLException | PublishFailed | RuntimeException e) {
            log.warn("chain head not published reason={}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
