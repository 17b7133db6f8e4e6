package haven.coordinator.evidence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.cli.HavenCli;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.demo.EmbeddedBroker;
import haven.protocol.Json;
import haven.testkit.Ports;
import haven.testkit.StaffClient;
import haven.testkit.Stack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The witnessed head (docs/EVIDENCE.md): a real hub keeps the chain heads the coordinator publishes and sends
 * with its commands, and `haven verify-log --hub-db` catches a log an insider cut short or re-chained from
 * an edit to the end, which the coordinator's database alone cannot show.
 */
class WitnessedHeadTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path coordinatorDb;
    private Path hubDb;

    @BeforeEach
    void aSchoolDayWitnessedByTheHub() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Ports.free(), null)) {
            ObjectNode c = Json.object();
            c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + broker.port()).put("keepAliveSeconds", 5).put("clientId", "witness-test");
            c.putObject("http").put("host", "127.0.0.1").put("port", 0);
            c.putObject("auth").putArray("requireTotpFor"); // password-only logins here; the second factor: SecondFactorLoginTest
            c.put("database", dir.resolve("coordinator.db").toString());
        haven.testkit.Stack.testSigningKey(c, dir);
            c.putObject("evidence").put("headEverySeconds", 1);
            // The hub's first event can beat the coordinator's subscription; gap repair fetches it, soon.
            c.putObject("ingest").put("repairSeconds", 1);
            HubConfig hubConfig = HubConfig.from(ConfigFile.of("test hub", Stack.hubJson("year5", broker.port(), dir)));
            hubDb = hubConfig.database();
            try (Coordinator coordinator = Coordinator.start(CoordinatorConfig.from(ConfigFile.of("test", c)), Clock.systemUTC());
                 Hub hub = Hub.start(hubConfig, Clock.systemUTC());
                 StaffClient dsl = new StaffClient(coordinator.httpPort())) {
                coordinatorDb = coordinator.database().file();
                coordinator.staff().put("dsl", Role.COORDINATOR, PASSWORD.toCharArray());
                await().atMost(WAIT).until(() -> hub.mqtt().isSubscribed());
                hub.classroom().press();
                assertEquals(200, dsl.login("dsl", PASSWORD));
                await().atMost(WAIT).until(() -> openIncidents(dsl).size() == 1);
                long id = openIncidents(dsl).getFirst().get("id").asLong();
                assertEquals(200, dsl.post("/api/incidents/" + id + "/ack", "{}").statusCode());
                await().atMost(WAIT).until(() -> count(hubDb, "SELECT count(*) FROM witnessed_heads WHERE via = 'cmd/ack'") == 1
                        && count(coordinatorDb, "SELECT count(*) FROM events WHERE type = 'cmd.applied'") == 1);
                // A later event of the hub, so the one before it cannot be merely on its way.
                hub.classroom().press();
                await().atMost(WAIT).until(() -> count(coordinatorDb, "SELECT count(*) FROM incidents") == 2);
                // Every hub event logged first (its hub.started may have beaten the subscription and come by gap
                // repair, later than the presses), so the export below is the log's last record.
                await().atMost(WAIT).until(() -> count(hubDb, "SELECT count(*) FROM outbox")
                        == count(coordinatorDb, "SELECT count(*) FROM events WHERE room = 'year5' AND seq > 0"));
                // An export is a chained record that changes no table: the tail an insider would like to lose.
                assertEquals(200, dsl.get("/api/incidents/" + id + "/export").statusCode());
                await().atMost(WAIT).until(() -> count(hubDb, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0
                        && count(coordinatorDb, "SELECT count(*) FROM events WHERE type = 'coordinator.exported'") == 1
                        && count(hubDb, "SELECT max(position) FROM witnessed_heads") == count(coordinatorDb, "SELECT max(pos) FROM events")
                        && count(hubDb, "SELECT count(*) FROM outbox")
                                == count(coordinatorDb, "SELECT count(*) FROM events WHERE room = 'year5' AND seq > 0"));
            }
        }
    }

    private static List<JsonNode> openIncidents(StaffClient who) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Json.parse(who.get("/api/incidents?status=open").body().getBytes()).get("incidents").forEach(out::add);
        return out;
    }

    private static long count(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private record Outcome(int exit, String output) {
    }

    private static Outcome verify(Path db, Path... hubs) {
        List<String> args = new ArrayList<>(List.of("verify-log", "--db", db.toString()));
        for (Path hub : hubs) {
            args.add("--hub-db");
            args.add(hub.toString());
        }
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return new Outcome(HavenCli.run(args.toArray(String[]::new)), captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(before);
        }
    }

    /** A copy of the coordinator's file changed as an insider would: the append-only triggers dropped first. */
    private Path tampered(String name, String... sql) throws Exception {
        Path copy = dir.resolve(name + ".db");
        Files.copy(coordinatorDb, copy);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy); Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER IF EXISTS events_no_update");
            st.execute("DROP TRIGGER IF EXISTS events_no_delete");
            for (String s : sql) {
                st.execute(s);
            }
        }
        return copy;
    }

    /** Recomputes every hash from the first row on, as an insider who knows the scheme would after an edit. */
    private static void rechain(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            String prev = EventLog.GENESIS;
            List<Object[]> rows = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pos, payload FROM events ORDER BY pos")) {
                while (rs.next()) {
                    rows.add(new Object[] {rs.getLong(1), rs.getString(2)});
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE events SET prev_hash = ?, hash = ? WHERE pos = ?")) {
                for (Object[] row : rows) {
                    String hash = EventLog.chain(prev, (String) row[1]);
                    ps.setString(1, prev);
                    ps.setString(2, hash);
                    ps.setLong(3, (Long) row[0]);
                    ps.executeUpdate();
                    prev = hash;
                }
            }
            c.commit();
        }
    }

    @Test
    void theUntouchedLogMatchesWhatTheHubWitnessed() throws Exception {
        Outcome o = verify(coordinatorDb, hubDb);
        assertEquals(0, o.exit(), o.output());
        assertTrue(o.output().contains("1 hub database(s)"), o.output());
        assertTrue(count(hubDb, "SELECT count(*) FROM witnessed_heads WHERE via = 'chain-head'") > 0, "the retained head was kept");
    }

    @Test
    void aFileThatIsNotAHubsDatabaseIsNamedNotAStackTrace() throws Exception {
        // The technician passes the wrong file (the coordinator's own, or a text file): a user's mistake, exit 2.
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a database at all, just some words\n");
        for (Path wrong : List.of(coordinatorDb, text)) {
            PrintStream before = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Outcome o;
            try {
                o = verify(coordinatorDb, wrong);
            } finally {
                System.setErr(before);
            }
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, o.exit(), said);
            assertTrue(said.contains(wrong.toString()) && said.contains("not a classroom hub's database"), said);
            assertTrue(!said.contains("\tat "), "one line, no stack trace: " + said);
        }
    }

    @Test
    void aLogCutShortIsCaughtOnlyWithTheHubsWitness() throws Exception {
        Path copy = tampered("cut", "DELETE FROM events WHERE pos = (SELECT max(pos) FROM events)");
        assertEquals(0, verify(copy).exit(), "the coordinator's file alone cannot show a lost last record");
        Outcome o = verify(copy, hubDb);
        assertEquals(1, o.exit(), o.output());
        assertTrue(o.output().contains("in table events at position ") && o.output().contains(hubDb.toString())
                && o.output().contains("cut short"), o.output());
    }

    @Test
    void aDecisionRewrittenAndTheWholeLogReChainedIsCaughtOnlyWithTheHubsWitness() throws Exception {
        Path copy = tampered("rechained",
                "UPDATE events SET payload = replace(payload, '\"by\":\"dsl\"', '\"by\":\"head\"') WHERE type = 'coordinator.acknowledged'",
                "UPDATE incidents SET acked_by = 'head' WHERE acked_by = 'dsl'");
        rechain(copy);
        Outcome alone = verify(copy);
        assertEquals(0, alone.exit(), "re-chained with consistent tables, the file alone verifies: " + alone.output());
        Outcome o = verify(copy, hubDb);
        assertEquals(1, o.exit(), o.output());
        assertTrue(o.output().contains("in table events at position ") && o.output().contains(hubDb.toString())
                && o.output().contains("rewritten"), o.output());
    }

    @Test
    void aHubEventRemovedAndTheRestReChainedIsCaughtNamingTheEvent() throws Exception {
        String id;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + coordinatorDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM events WHERE type = 'cmd.applied'")) {
            rs.next();
            id = rs.getString(1);
        }
        Path copy = tampered("removed", "DELETE FROM events WHERE type = 'cmd.applied'");
        rechain(copy);
        Outcome o = verify(copy, hubDb);
        assertEquals(1, o.exit(), o.output());
        assertTrue(o.output().contains("event " + id) && o.output().contains(hubDb.toString()), o.output());
    }
}
