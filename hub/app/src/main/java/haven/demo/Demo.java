package haven.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.classroom.Hub;
import haven.classroom.HubConfig;
import haven.config.ConfigFile;
import haven.coordinator.Coordinator;
import haven.coordinator.CoordinatorConfig;
import haven.coordinator.Role;
import haven.coordinator.StaffAccounts;
import haven.store.Database;
import haven.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * One JVM with everything: an embedded broker, a coordinator and N classroom hubs on mock GPIO.
 * Its isolation backend is simulated/manual: the demo never touches this machine's firewall or network.
 */
public final class Demo implements AutoCloseable {
    /**
     * {@code smtp}: HOST:PORT to send the demo's e-mail to instead of the built-in catcher; {@code ackWithin}: how long
     * a worry waits unacknowledged before the head is e-mailed too.
     */
    public record Settings(int rooms, int httpPort, int mqttPort, Path dataDir, String site, java.util.Optional<String> smtp,
                           java.time.Duration ackWithin) {
        public Settings {
            if (ackWithin.isNegative() || ackWithin.isZero()) {
                throw new IllegalArgumentException("--ack-within must be longer than 0, got " + ackWithin);
            }
            smtp.ifPresent(Settings::hostAndPort);
        }

        public Settings(int rooms, int httpPort, int mqttPort, Path dataDir, String site) {
            this(rooms, httpPort, mqttPort, dataDir, site, java.util.Optional.empty(), java.time.Duration.ofMinutes(2));
        }

        static String[] hostAndPort(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1 || !text.substring(colon + 1).matches("\\d{1,5}")
                    || Integer.parseInt(text.substring(colon + 1)) > 65535) {
                throw new IllegalArgumentException("--smtp must be HOST:PORT, for example 127.0.0.1:2525, got '" + text + "'");
            }
            return new String[] {text.substring(0, colon), text.substring(colon + 1)};
        }
    }

    public record Login(String name, String role, String password) {
    }

    private static final String[] ROOM_NAMES = {"year3-oak", "year4-ash", "year5-elm", "year6-yew", "ict-suite",
            "library", "year1-fir", "year2-bay"};
    /** What staff call each of {@link #ROOM_NAMES}, so the demo's dashboard and e-mails say "Year 3 (Oak)", as a school's would. */
    private static final String[] DISPLAY_NAMES = {"Year 3 (Oak)", "Year 4 (Ash)", "Year 5 (Elm)", "Year 6 (Yew)", "ICT suite",
            "Library", "Year 1 (Fir)", "Year 2 (Bay)"};

    private final haven.lifecycle.Owned owned;
    private final Coordinator coordinator;
    private final List<Hub> hubs = new ArrayList<>();
    private final List<Login> logins = new ArrayList<>();
    private final EmbeddedBroker broker;
    private final DemoMailbox mailbox;

    public Demo(Settings settings, Clock clock) throws Exception {
        owned = new haven.lifecycle.Owned("demo");
        Files.createDirectories(settings.dataDir());
        broker = own(EmbeddedBroker.start(settings.mqttPort(), settings.dataDir().resolve("broker")));
        ObjectNode c = Json.object();
        c.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + settings.mqttPort()).put("keepAliveSeconds", 10);
        c.putObject("http").put("host", "127.0.0.1").put("port", settings.httpPort());
        // The demo's accounts are printed with their passwords for anyone to try: no second factor (its banner says so).
        c.putObject("auth").putArray("requireTotpFor");
        c.put("database", settings.dataDir().resolve("coordinator.db").toString());
        mailbox = own(settings.smtp().map(DemoMailbox::elsewhere).orElseGet(() -> DemoMailbox.catcher(freeLoopbackPort())));
        demoAlerts(c.putObject("notify"), settings, mailbox.smtpTarget());
        ObjectNode dashboardNames = c.putObject("rooms");
        ObjectNode alertNames = c.withObject("notify").putObject("roomNames").putObject(settings.site());
        for (int i = 0; i < Math.min(settings.rooms(), ROOM_NAMES.length); i++) {
            dashboardNames.put(ROOM_NAMES[i], DISPLAY_NAMES[i]);
            alertNames.put(ROOM_NAMES[i], DISPLAY_NAMES[i]);
        }
        // A fresh follow-up key per demo run, shared by the demo's coordinator and hubs (docs/KIOSK.md).
        byte[] keyBytes = new byte[32];
        new java.security.SecureRandom().nextBytes(keyBytes);
        String followUpKey = java.util.HexFormat.of().formatHex(keyBytes);
        c.putObject("followUp").put("key", followUpKey);
        demoFilterTargets(c.putObject("filter"));
        c.putArray("sites").add(settings.site()); // so the targets are published before the first hub reports
        CoordinatorConfig coordinatorConfig = CoordinatorConfig.from(ConfigFile.of("demo coordinator", c));
        // Accounts first, so the coordinator does not offer a first-run setup link for the demo.
        try (Database db = coordinatorConfig.database().open("db/coordinator")) {
            StaffAccounts staff = new StaffAccounts(db, clock);
            for (Role role : List.of(Role.COORDINATOR, Role.HEAD, Role.SENIOR, Role.TEACHER)) {
                String name = "demo-" + role.wire();
                String password = password();
                staff.put(name, role, password.toCharArray());
                if (role == Role.TEACHER) {
                    staff.assignRooms(name, java.util.Set.of(new haven.protocol.RoomId(settings.site(), ROOM_NAMES[0])));
                }
                logins.add(new Login(name, role.wire(), password));
            }
        }
        coordinator = own(Coordinator.start(coordinatorConfig, clock, java.util.List.of(mailbox.page())));
        awaitCoordinatorSubscribed();
        for (int i = 0; i < settings.rooms(); i++) {
            String room = i < ROOM_NAMES.length ? ROOM_NAMES[i] : "room-" + (i + 1);
            ObjectNode h = Json.object();
            h.put("site", settings.site());
            h.put("room", room);
            h.putObject("aup").put("keyStage", i % 2 == 0 ? "ks2" : "ks1");
            h.putObject("mqtt").put("uri", "tcp://127.0.0.1:" + settings.mqttPort()).put("keepAliveSeconds", 10);
            h.putObject("http").put("host", "127.0.0.1").put("port", settings.httpPort() == 0 ? 0 : settings.httpPort() + 1 + i);
            h.put("dataDir", settings.dataDir().resolve("hubs").toString());
            h.putObject("gpio").put("provider", "mock");
            h.putObject("followUp").put("key", followUpKey);
            // The demo signs and verifies like a school: its coordinator made the key in the demo's data folder.
            h.putObject("coordinator").put("publicKey", coordinator.signingKey().encoded());
            // Manual isolation only: the demo never touches this machine's firewall or the LAN. The
            // addresses are placeholders that nothing ever contacts.
            h.putObject("isolation").put("backend", "manual");
            var computers = h.putArray("computers");
            for (int pc = 1; pc <= 8; pc++) {
                computers.addObject().put("name", String.format("PC-%02d", pc))
                        .put("mac", String.format("02:00:5e:00:%02x:%02x", i + 1, pc))
                        .put("ip", String.format("10.200.%d.%d", i + 1, 10 + pc));
            }
            // Simulated network: the demo never probes the LAN or the internet. One room lets "games" through
            // so that a new user sees what a failed check looks like in the filter check log.
            var filter = h.putObject("filter").put("simulate", true);
            if (i == 0) {
                filter.putArray("simulateReachable").add("games");
            }
            hubs.add(own(Hub.start(HubConfig.from(ConfigFile.of("demo hub " + room, h)), clock)));
        }
        firstFilterChecks();
    }

    /** Targets under .invalid (RFC 2606): names that exist nowhere, tried only by the simulated network. */
    private static void demoFilterTargets(ObjectNode filter) {
        var targets = filter.putArray("targets");
        targets.addObject().put("category", "adult").put("target", "adult.filter-test.invalid");
        targets.addObject().put("category", "gambling").put("target", "http://gambling.filter-test.invalid/");
        targets.addObject().put("category", "games").put("target", "http://games.filter-test.invalid/");
        targets.addObject().put("category", "proxy").put("target", "https://proxy.filter-test.invalid/");
        filter.putArray("blockPageSignatures").add("Blocked by the school filter");
    }

    /** One check per room as soon as its hub has the list, so the check log is not empty on first sight. */
    private void firstFilterChecks() {
        Thread.ofVirtual().name("demo-first-filter-checks").start(() -> {
            for (Hub hub : hubs) {
                for (int i = 0; i < 300 && !hub.filterCheck().hasTargets(); i++) { // bounded: 30 s
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                hub.filterCheck().request("demo-start", "schedule");
            }
        });
    }

    /**
     * The demo's ladder for a new worry, and for every other kind but an offline hub: the coordinator at once,
     * the head after {@code ackWithin} unacknowledged.
     * Every demo account has an address under demo.invalid (RFC 2606: never delivered anywhere real).
     */
    private static void demoAlerts(ObjectNode n, Settings settings, String smtpTarget) {
        n.put("dashboardUrl", "http://127.0.0.1:" + (settings.httpPort() == 0 ? 8080 : settings.httpPort()) + "/");
        String[] smtp = Settings.hostAndPort(smtpTarget);
        n.putObject("smtp").put("host", smtp[0]).put("port", Integer.parseInt(smtp[1]))
                .put("security", "none").put("from", "haven-demo@demo.invalid");
        n.putObject("retry").put("attempts", 3).put("backoffSeconds", 5);
        var contacts = n.putArray("contacts");
        for (Role role : List.of(Role.COORDINATOR, Role.HEAD, Role.SENIOR, Role.TEACHER)) {
            contacts.addObject().put("staff", "demo-" + role.wire()).put("email", "demo-" + role.wire() + "@demo.invalid");
        }
        ObjectNode ladders = n.putObject("ladders");
        // The other kinds the same way, so a new user sees them on /demo/mail too: the failed filter check of the
        // room whose filter lets games through, an isolation, a staff concern (about an adult: the head at once),
        // an overdue action. The DSL leads on filtering and monitoring (KCSIE), so the filter check is theirs too.
        for (String kind : List.of("worry", "isolation", "staff-concern", "filter-check-failed", "action-overdue")) {
            var steps = ladders.putArray(kind);
            steps.addObject().putArray("contacts").add("demo-coordinator");
            steps.addObject().put("after", settings.ackWithin().toSeconds() + "s").putArray("contacts").add("demo-head");
        }
        ladders.putArray("hub-offline").addObject().putArray("contacts").add("demo-coordinator");
    }

    private static int freeLoopbackPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free loopback port for the demo's mail catcher", e);
        }
    }

    private static String password() {
        final String alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private <T extends AutoCloseable> T own(T resource) {
        return owned.add(resource);
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    public List<Hub> hubs() {
        return hubs;
    }

    public List<Login> logins() {
        return logins;
    }

    /** The demo's mail catcher (or where --smtp sends the e-mail instead). */
    public DemoMailbox mailbox() {
        return mailbox;
    }

    public int mqttPort() {
        return broker.port();
    }

    @Override
    public void close() {
        owned.close();
    }

    /**
     * The demo's hubs start only once the coordinator is subscribed: its broker session is new, so what a hub
     * published before would reach it only through gap repair, seconds later, and a new user pressing the
     * button at once would see nothing on the dashboard. Bounded; a broker that never answers fails the start.
     */
    private void awaitCoordinatorSubscribed() {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (!coordinator.mqtt().isSubscribed()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the demo's coordinator did not connect to the embedded broker within 20 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the demo started", e);
            }
        }
    }
}
