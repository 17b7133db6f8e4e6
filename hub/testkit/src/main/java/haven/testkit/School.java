package haven.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.RoomId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * One school on loopback for a test: the embedded broker, a coordinator, the hubs a test starts, all on
 * free ports under one temp folder. Closing it closes the hubs (newest first), the coordinator, then
 * the broker. The system tests' shared fixture, so each test says only what is special about it.
 */
public final class School implements AutoCloseable {
    /** Every staff account a test makes has this password. */
    public static final String PASSWORD = "correct-horse-battery";
    public static final String SITE = "test-school";

    private final Path dir;
    private final EmbeddedBroker broker;
    private final Coordinator coordinator;
    private final Deque<Hub> hubs = new ArrayDeque<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private School(Path dir, EmbeddedBroker broker, Coordinator coordinator) {
        this.dir = dir;
        this.broker = broker;
        this.coordinator = coordinator;
    }

    public static School start(Path dir) throws IOException, SQLException {
        EmbeddedBroker broker = EmbeddedBroker.start(Ports.free(), null);
        try {
            return new School(dir, broker, Coordinator.start(Stack.coordinator(broker.port(), dir), Clock.systemUTC()));
        } catch (SQLException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    /** The hub.yaml a test may add to before {@link #hub(ObjectNode)}. */
    public ObjectNode hubJson(String room) {
        return Stack.hubJson(room, broker.port(), dir);
    }

    public Hub hub(String room) throws SQLException {
        return hub(hubJson(room));
    }

    public Hub hub(ObjectNode hubYaml) throws SQLException {
        Hub hub = Hub.start(HubConfig.from(ConfigFile.of("test hub", hubYaml)), Clock.systemUTC());
        hubs.push(hub);
        return hub;
    }

    /** A staff account with {@link #PASSWORD}; a teacher gets the rooms given. */
    public void staff(String name, Role role, String... rooms) throws SQLException {
        coordinator.staff().put(name, role, PASSWORD.toCharArray());
        if (rooms.length > 0) {
            Set<RoomId> ids = new java.util.HashSet<>();
            for (String room : rooms) {
                ids.add(new RoomId(SITE, room));
            }
            coordinator.staff().assignRooms(name, ids);
        }
    }

    /** A POST to a hub's kiosk server, as the kiosk page or the simulated GPIO would send it. */
    public HttpResponse<String> kiosk(Hub hub, String path, String jsonBody) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.kioskPort() + path));
        request.header("Content-Type", "application/json");
        request.POST(jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A press of the simulated worry button. */
    public HttpResponse<String> press(Hub hub) throws IOException, InterruptedException {
        return kiosk(hub, "/api/sim/button", null);
    }

    /** How many events of a type the coordinator's evidence log holds (read from the file itself). */
    public long loggedEvents(String type) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinator.database().file());
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM events WHERE type = ?")) {
            ps.setString(1, type);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() {
        while (!hubs.isEmpty()) {
            hubs.pop().close();
        }
        coordinator.close();
        http.close();
        broker.close();
    }
}
