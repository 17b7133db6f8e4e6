package haven.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.store.Dialect;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * A coordinator of the HTTP-level tests: a real embedded broker, a real database of the dialect under test
 * (SQLite file or PostgreSQL schema), password-only logins (the second factor has its own tests:
 * SecondFactorLoginTest), and staff who sign in with one password. One place for the set-up the case-work,
 * breach, staff and role tests share; a test adds its own settings through {@code tune}.
 */
public final class TestCoordinator implements AutoCloseable {
    public static final String PASSWORD = "correct-horse-battery";

    private final EmbeddedBroker broker;
    private final TestDatabases databases;
    private final TestDatabases.TestDatabase store;
    private final Coordinator coordinator;

    private TestCoordinator(EmbeddedBroker broker, TestDatabases databases, TestDatabases.TestDatabase store, Coordinator coordinator) {
        this.broker = broker;
        this.databases = databases;
        this.store = store;
        this.coordinator = coordinator;
    }

    public static TestCoordinator start(Dialect dialect, Path dir, Clock clock, String clientId) throws Exception {
        return start(dialect, dir, clock, clientId, c -> { });
    }

    public static TestCoordinator start(Dialect dialect, Path dir, Clock clock, String clientId, Consumer<ObjectNode> tune)
            throws Exception {
        TestDatabases databases = new TestDatabases(dialect, dir);
        EmbeddedBroker broker = null;
        try {
            TestDatabases.TestDatabase store = databases.create("coordinator");
            broker = EmbeddedBroker.start(Ports.free(), null);
            ObjectNode c = Json.object();
            c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("clientId", clientId);
            c.putObject("http").put("host", "127.0.0.1").put("port", 0);
            c.putObject("auth").putArray("requireTotpFor");
            store.configure(c);
            tune.accept(c);
            Coordinator coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), clock);
            return new TestCoordinator(broker, databases, store, coordinator);
        } catch (Exception | Error e) {
            if (broker != null) {
                broker.close();
            }
            databases.close();
            throw e;
        }
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    public TestDatabases.TestDatabase store() {
        return store;
    }

    public int brokerPort() {
        return broker.port();
    }

    /** An account that signs in with {@link #PASSWORD}. */
    public TestCoordinator staff(String name, Role role) throws SQLException {
        coordinator.staff().put(name, role, PASSWORD.toCharArray());
        return this;
    }

    /** A signed-in session of {@code name}; fails loudly, naming the account, when the login is refused. */
    public StaffClient as(String name) throws Exception {
        StaffClient client = new StaffClient(coordinator.httpPort());
        int status = client.login(name, PASSWORD);
        if (status != 200) {
            client.close();
            throw new IllegalStateException("the login of '" + name + "' answered " + status);
        }
        return client;
    }

    @Override
    public void close() throws Exception {
        try {
            coordinator.close();
        } finally {
            try {
                broker.close();
            } finally {
                databases.close();
            }
        }
    }
}
