package haven.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Aup;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.mqtt.MqttLink;
import haven.mqtt.MqttSettings;
import haven.protocol.HubStatus;
import haven.protocol.RoomId;
import haven.protocol.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The hubs a scenario runs against: {@code full} complete {@link Hub}s (mock GPIO, SQLite outbox, kiosk server)
 * that take the activity, and presence-only hubs, each a real {@link MqttLink} with its own Paho connection,
 * Last Will, retained status and command subscription, so the broker and the coordinator carry a school's
 * worth of connections. Started together, then awaited until the coordinator sees every room online.
 */
final class BenchFleet implements AutoCloseable {
    private final List<MqttLink> presence;
    private final List<Hub> full;

    private BenchFleet(List<MqttLink> presence, List<Hub> full) {
        this.presence = presence;
        this.full = full;
    }

    /**
     * Starts {@code hubs - fullHubs} presence-only hubs and {@code fullHubs} full hubs named {@code prefix-00001...};
     * {@code tweak} may change a full hub's configuration. Prints how long until the coordinator saw them online.
     */
    static BenchFleet start(Coordinator coordinator, int brokerPort, Path hubsDir, int hubs, int fullHubs, String prefix,
                            Consumer<ObjectNode> tweak, Clock clock, PrintWriter out) throws Exception {
        List<MqttLink> presence = new ArrayList<>();
        List<Hub> full = new ArrayList<>();
        BenchFleet fleet = new BenchFleet(presence, full);
        try {
            long started = System.nanoTime();
            for (int i = 0; i < hubs - fullHubs; i++) {
                presence.add(presenceHub(brokerPort, BenchConfigs.room("presence", i + 1), clock));
            }
            for (int i = 0; i < fullHubs; i++) {
                String room = BenchConfigs.room(prefix, i + 1);
                ObjectNode config = BenchConfigs.hubJson(room, brokerPort, hubsDir);
                tweak.accept(config);
                full.add(Hub.start(HubConfig.from(ConfigFile.of("bench hub " + room, config)), clock));
            }
            long online = OnlineRooms.await(coordinator, hubs, Duration.ofSeconds(180));
            out.printf(Locale.ROOT, "hubs online at the coordinator: %d of %d after %.1f s (%d presence-only MqttLink + %d full Hub)%n",
                    online, hubs, (System.nanoTime() - started) / 1e9, hubs - fullHubs, fullHubs);
            out.flush();
            return fleet;
        } catch (Exception | Error e) {
            fleet.close();
            throw e;
        }
    }

    /** The full hubs, in the order they were started. */
    List<Hub> full() {
        return full;
    }

    /** The presence-only links (a scenario may flap one). */
    List<MqttLink> presence() {
        return presence;
    }

    /** Round-robin over the full hubs. */
    Hub hub(int round) {
        return full.get(Math.floorMod(round, full.size()));
    }

    static MqttLink presenceHub(int port, String room, Clock clock) {
        RoomId id = new RoomId(BenchConfigs.SITE, room);
        Aup aup = Aup.sample("ks2");
        byte[] offline = new HubStatus(false, clock.instant(), Hub.VERSION, aup.keyStage(), aup.version(), List.of(), null, 0).encode();
        MqttLink link = new MqttLink(MqttSettings.local(port, "haven-hub-" + BenchConfigs.SITE + "-" + room, 30, true),
                new MqttLink.Will(Topics.status(id), offline));
        link.subscribe(Topics.commands(id), (topic, payload, retained) -> {
        });
        link.onConnected(() -> {
            byte[] online = new HubStatus(true, clock.instant(), Hub.VERSION, aup.keyStage(), aup.version(), List.of(), null, 0).encode();
            try {
                link.publish(Topics.status(id), online, true);
            } catch (haven.mqtt.PublishFailed e) {
                // reconnect publishes again
            }
        });
        link.start();
        return link;
    }

    @Override
    public void close() throws InterruptedException {
        full.forEach(Hub::close);
        try (ExecutorService closer = Executors.newFixedThreadPool(16)) {
            presence.forEach(link -> closer.execute(link::close));
            closer.shutdown();
            closer.awaitTermination(60, TimeUnit.SECONDS);
        }
    }
}
