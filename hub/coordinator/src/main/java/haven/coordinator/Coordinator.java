package haven.coordinator;

import haven.coordinator.web.DashboardServer;
import haven.coordinator.web.LiveFeed;

import haven.mqtt.MqttLink;
import haven.protocol.EventCodec;
import haven.protocol.UuidV7;
import haven.coordinator.evidence.AuditLog;
import haven.store.Database;
import haven.coordinator.evidence.EventLog;
import java.sql.SQLException;
import java.time.Clock;

/** The coordinator role's composition root. */
public final class Coordinator implements AutoCloseable {

    private final haven.lifecycle.Owned owned;
    private final Database db;
    private final MqttLink mqtt;
    private final Ingest ingest;
    private final StaffAccounts staff;
    private final LiveFeed feed;
    private final DashboardServer dashboard;
    private final AupLibrary aups;
    private final haven.protocol.CoordinatorSigner signer;
    private final Escalation escalation;
    private final haven.metrics.HavenMetrics metrics;
    private final java.util.concurrent.atomic.AtomicReference<String> setupToken;
    private final java.util.Optional<haven.coordinator.notify.Notifier> notifier;
    private final OverdueActions overdueActions;
    private final BreachDeadlines breachDeadlines;
    /** Told of each overdue case action (docs/CASEWORK.md); the alerts are wired here by {@link #onActionOverdue}. */
    private final java.util.List<CaseAlerts> caseAlerts = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Coordinator(CoordinatorConfig config, Clock clock, java.util.List<ExtraPage> extraPages)
            throws SQLException {
        owned = new haven.lifecycle.Owned("coordinator");
        // First, so a key others may read stops the start before anything is opened.
        signer = SigningKeyFile.loadOrCreate(config.signingKey());
        db = own(config.database().open("db/coordinator"));
        EventCodec codec = new EventCodec();
        Incidents incidents = new Incidents();
        Rooms rooms = new Rooms();
        Isolations isolations = new Isolations();
        feed = new LiveFeed();
        staff = new StaffAccounts(db, clock);
        EventLog eventLog = new EventLog(codec);
        ingest = own(new Ingest(db, codec, eventLog, incidents, rooms, isolations, feed, clock));
        mqtt = new MqttLink(config.mqtt(), null);
        own(mqtt);
        ingest.subscribe(mqtt, config.sharedGroup());
        haven.coordinator.evidence.ChainWitness witness = own(new haven.coordinator.evidence.ChainWitness(db, mqtt, clock, config.sites(), signer));
        CommandSender commands = new CommandSender(mqtt, new UuidV7(clock), clock, witness::current, signer);
        GapRepair repair = own(new GapRepair(db, rooms, commands));
        aups = new AupLibrary(db, mqtt, clock, config.sites(), signer);
        // A broker that lost its retained messages gets the current AUPs again on every connect.
        mqtt.onConnected(aups::republish);
        mqtt.onConnected(() -> config.filter().publish(mqtt, db, config.sites(), signer));
        setupToken = new java.util.concurrent.atomic.AtomicReference<>();
        if (!staff.hasCoordinator()) {
            byte[] bytes = new byte[24];
            new java.security.SecureRandom().nextBytes(bytes);
            setupToken.set(java.util.HexFormat.of().formatHex(bytes));
        }
        AuditLog audit = new AuditLog(db, clock);
        escalation = own(new Escalation(db, incidents, feed, audit, clock, config.ackWithin(), config.endOfDay(), config.zone()));
        metrics = new haven.metrics.HavenMetrics().eventsIngested(ingest::accepted).eventsRejected(ingest::rejected)
                .eventsDuplicate(ingest::duplicates).mqttReconnects(mqtt::reconnects).websocketClients(feed::clientCount)
                .coordinatorSeries();
        ingest.onWorryLogged(metrics::pressIngested);
        escalation.onEscalated(metrics::escalated);
        // Alerts to staff away from the dashboard (docs/NOTIFICATIONS.md): told of every incident change.
        notifier = config.alerts().map(alerts -> own(haven.coordinator.notify.Notifier.create(alerts, db, incidents, rooms, staff, eventLog,
                clock, feed::incidentChanged)).start(java.time.Duration.ofSeconds(1)));
        notifier.ifPresent(feed::onIncidentChanged);
        notifier.ifPresent(n -> feed.onIsolationChanged(n::isolationChanged));
        notifier.ifPresent(n -> caseAlerts.add(n::actionOverdue)); // an overdue case action climbs its own ladder
        notifier.ifPresent(n -> feed.onActionDone(n::actionDone)); // ... until it is marked done
        notifier.ifPresent(n -> feed.onBreachChanged(n::breachChanged)); // a data breach's 72-hour clock (docs/DATA-PROTECTION.md)

        config.filter().unblockWebhook().ifPresent(w -> feed.onUnblockRequestChanged(own(new UnblockWebhook(w, audit, clock))::changed));
        config.retention().ifPresent(keep -> own(new Retention(db, audit, clock, keep)).startDaily());
        dashboard = own(new DashboardServer(db, incidents, rooms, isolations, aups, feed, new Sessions(clock), staff,
                audit, commands, clock, config.secureCookies(), setupToken, metrics,
                new FollowUpLookup(db, incidents, audit, clock, config.followUpKey()),
                notifier.flatMap(haven.coordinator.notify.Notifier::push), extraPages, config.roomNames(), mqtt::isConnected,
                config.auth(), config.buttonTestDue()));
        overdueActions = own(new OverdueActions(db, new Cases(incidents, clock),
                (incident, kind, due) -> caseAlerts.forEach(a -> a.actionOverdue(incident, kind, due))));
        breachDeadlines = own(new BreachDeadlines(db, new Breaches(clock), feed::breachChanged));
        witness.start(config.headEvery());
        mqtt.start();
        overdueActions.start(java.time.Duration.ofMinutes(1));
        breachDeadlines.start(java.time.Duration.ofMinutes(1));
        repair.start(config.repairEvery());
        dashboard.start(config.httpHost(), config.httpPort());
        escalation.start(java.time.Duration.ofSeconds(15));
        if (setupToken.get() != null) {
            // Printed once, not logged to a file: whoever reads the console on first start creates the DSL.
            System.out.println("First run: create the coordinator (DSL) account at http://" + config.httpHost() + ":"
                    + dashboard.port() + "/setup.html#" + setupToken.get());
        }
    }

    public static Coordinator start(CoordinatorConfig config, Clock clock) throws SQLException {
        return new Coordinator(config, clock, java.util.List.of());
    }

    /** With more pages on the dashboard's server (the demo's mail catcher at /demo/mail). */
    public static Coordinator start(CoordinatorConfig config, Clock clock,
                                    java.util.List<ExtraPage> extraPages) throws SQLException {
        return new Coordinator(config, clock, extraPages);
    }

    private <T extends AutoCloseable> T own(T resource) {
        return owned.add(resource);
    }

    public Database database() {
        return db;
    }

    /** The public half of the command signing key: what the demo wires into its hubs. */
    public haven.protocol.CoordinatorKey signingKey() {
        return signer.publicKey();
    }

    public Ingest ingest() {
        return ingest;
    }

    public StaffAccounts staff() {
        return staff;
    }

    public LiveFeed feed() {
        return feed;
    }

    public MqttLink mqtt() {
        return mqtt;
    }

    /** The dashboard's routes and what each declares it needs (docs/SECURITY.md). */
    public java.util.List<DashboardServer.DeclaredRoute> dashboardRoutes() {
        return dashboard.routes();
    }

    /** The one-time first-run setup token, while no coordinator account exists. */
    public java.util.Optional<String> setupToken() {
        return java.util.Optional.ofNullable(setupToken.get());
    }

    public Escalation escalation() {
        return escalation;
    }

    /** Alerts to staff, when coordinator.yaml has a notify: section. */
    public java.util.Optional<haven.coordinator.notify.Notifier> notifier() {
        return notifier;
    }

    /** The scan that flags case actions past their due time (tests call runOnce with a moved clock). */
    public OverdueActions overdueActions() {
        return overdueActions;
    }

    /** The scan that flags data breaches with under 24 hours left (tests call runOnce with a moved clock). */
    public BreachDeadlines breachDeadlines() {
        return breachDeadlines;
    }

    /** Who hears of an overdue case action, once per action: the staff alerts (action-overdue). */
    public void onActionOverdue(CaseAlerts alerts) {
        caseAlerts.add(alerts);
    }

    public AupLibrary aups() {
        return aups;
    }

    public int httpPort() {
        return dashboard.port();
    }

    @Override
    public void close() {
        owned.close();
    }
}
