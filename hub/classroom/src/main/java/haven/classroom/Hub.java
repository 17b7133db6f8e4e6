package haven.classroom;

import haven.classroom.gpio.Debouncer;
import haven.classroom.gpio.GpioBoard;
import haven.classroom.gpio.KeySwitch;
import haven.classroom.gpio.PressDebouncer;
import haven.classroom.gpio.SimulatedHand;
import haven.classroom.gpio.StatusLeds;
import haven.classroom.gpio.WorryButton;
import haven.classroom.isolation.IsolationService;
import haven.classroom.isolation.IsolationStore;
import haven.classroom.isolation.Isolator;
import haven.classroom.web.KioskServer;
import haven.mqtt.MqttLink;
import haven.classroom.outbox.Outbox;
import haven.classroom.outbox.OutboxPublisher;
import haven.protocol.AupMessage;
import haven.protocol.Command;
import haven.protocol.EventCodec;
import haven.protocol.EventType;
import haven.protocol.HubStatus;
import haven.protocol.Json;
import haven.protocol.Topics;
import haven.protocol.UuidV7;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The hub role's composition root: builds the classroom's object graph and closes it in reverse. */
public final class Hub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Hub.class);
    public static final String VERSION = "0.1.0";

    private final HubConfig config;
    private final Clock clock;
    private final haven.lifecycle.Owned owned;
    private final MqttLink mqtt;
    private final Outbox outbox;
    private final WitnessedHeads heads;
    private final Classroom classroom;
    private final StatusLeds leds;
    private final KioskServer kiosk;
    private final OutboxPublisher publisher;
    private final IsolationFlow flow;
    private final haven.metrics.HavenMetrics metrics;
    private final CommandGate gate;
    private final haven.classroom.filter.FilterCheck filterCheck;
    private final AupTranslations translations = new AupTranslations();
    private final java.util.Optional<HomeAssistantDiscovery> homeAssistant;
    private final java.util.concurrent.atomic.AtomicReference<String> lastHaState = new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicLong lastStatusSeq = new java.util.concurrent.atomic.AtomicLong(-1);
    private final java.util.concurrent.atomic.AtomicLong lastStatusAt = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<String> lastCondition = new java.util.concurrent.atomic.AtomicReference<>();
    // Status is published off the caller's thread: a change can start inside Paho's callback (#310).
    private final java.util.concurrent.ScheduledExecutorService statusPublisher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hub-status");
        t.setDaemon(true);
        return t;
    });

    private Hub(HubConfig config, Clock clock) throws SQLException {
        owned = new haven.lifecycle.Owned("hub " + config.room());
        this.config = config;
        this.clock = clock;
        GpioBoard board = own(GpioBoard.open(config.gpioProvider()));
        Database db = own(Database.open(config.database(), "db/hub"));
        outbox = new Outbox(db, new EventCodec(), new UuidV7(clock), clock, config.room());
        mqtt = new MqttLink(config.mqtt(), new MqttLink.Will(Topics.status(config.room()), status(false).encode()));
        publisher = new OutboxPublisher(outbox, mqtt, config.outboxWindow(), config.outboxMaxPerSecond());
        leds = new StatusLeds(board.output("led-green", config.pins().greenLed()),
                board.output("led-amber", config.pins().amberLed()),
                board.output("led-red", config.pins().redLed()));
        AupCache aups = new AupCache(db);
        classroom = new Classroom(config.room(), outbox, leds, clock, config.coalesceWindow(), config.detailWindow(),
                aups.load(config.keyStage()).orElseGet(() -> Aup.sample(config.keyStage())), publisher::wake,
                config.isolation().computers().stream().map(haven.classroom.isolation.Machine::name)
                        .collect(java.util.stream.Collectors.toSet()));
        WorryButton button = own(new WorryButton(board.input("worry-button", config.pins().button()),
                new PressDebouncer(config.buttonReleaseMillis()), clock, classroom::press));
        Isolator isolator = config.isolation().isolator(clock);
        if (isolator instanceof AutoCloseable closeable) {
            own(closeable);
        }
        flow = own(new IsolationFlow(new IsolationService(isolator, new IsolationStore(db, clock)),
                config.isolation().computers(), outbox, leds, clock, config.isolation().chooseWindow(),
                publisher::wake, classroom::changed));
        KeySwitch keySwitch = own(new KeySwitch(board.input("key-switch", config.pins().keySwitch()),
                new Debouncer(config.debounceMillis()), clock, on -> {
                    classroom.keySwitch(on);
                    if (on) {
                        flow.begin("key");
                    }
                }));
        SimulatedHand hand = own(new SimulatedHand(board));

        filterCheck = own(new haven.classroom.filter.FilterCheck(config.filter().probe(clock), outbox, clock,
                new haven.classroom.filter.FilterSchedule(config.filter().every(), config.room()), publisher::wake));
        gate = new CommandGate(config.room(), config.coordinatorKey().map(haven.protocol.SignatureVerifier::new),
                new SeenCommands(db, clock), clock);
        if (config.coordinatorKey().isEmpty()) {
            log.warn("commands are not verified room={} reason=coordinator.unsignedCommands: anyone who can publish to this"
                    + " hub's topics can command it", config.room());
        }
        mqtt.subscribe(Topics.filterTargets(config.room().site()), (topic, payload, retained) -> signed(topic, payload, this::onFilterTargets));
        heads = new WitnessedHeads(db, clock);
        mqtt.subscribe(Topics.chainHead(config.room().site()), (topic, payload, retained) -> signed(topic, payload, this::onChainHead));
        mqtt.subscribe(Topics.commands(config.room()), this::onCommand);
        mqtt.subscribe(Topics.aup(config.room().site(), config.keyStage()),
                (topic, payload, retained) -> signed(topic, payload, p -> onAup(aups, p)));
        aups.loadTranslations(config.keyStage(), translations);
        mqtt.subscribe(Topics.aupTranslations(config.room().site(), config.keyStage()),
                (topic, payload, retained) -> signed(topic, payload, p -> onAupTranslation(aups, p)));
        mqtt.onConnected(() -> {
            publishStatus();
            classroom.connection(true);
        });
        mqtt.onConnectionLost(() -> classroom.connection(false));
        // A degraded outbox (full disk) must reach the dashboard: republish presence when it changes.
        classroom.onChange(() -> {
            String condition = outbox.condition().orElse(null);
            if (!java.util.Objects.equals(condition, lastCondition.getAndSet(condition)) && mqtt.isConnected()) {
                statusPublisher.execute(this::publishStatus);
            }
        });
        own(statusPublisher::shutdownNow);
        // Presence doubles as a heartbeat of lastSeq, so the coordinator notices missing trailing events.
        statusPublisher.scheduleWithFixedDelay(() -> {
            // Also every five minutes, so hub.health (disk, clock, temperature) on the dashboard stays current.
            if (mqtt.isConnected() && (outbox.lastSeq() != lastStatusSeq.get() || clock.millis() - lastStatusAt.get() >= 300_000)) {
                publishStatus();
            }
        }, config.statusEvery().toMillis(), config.statusEvery().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        own(() -> mqtt.close(Topics.status(config.room()), status(false).encode()));
        own(publisher);
        metrics = new haven.metrics.HavenMetrics().eventsPublished(publisher::published).outboxDepth(outbox::unsentCount)
                .mqttReconnects(mqtt::reconnects).commandsRefused(gate::refusedByReason);
        kiosk = own(new KioskServer(classroom, flow, hand, button, keySwitch, metrics, config.kioskMode(),
                new FollowUpOffer(config.followUpKey(), outbox, clock, publisher::wake), config.choices(),
                new TeacherMode(config.teacherPin(), classroom::keySwitchOn, outbox, clock, publisher::wake), translations));
        homeAssistant = config.homeAssistant() ? java.util.Optional.of(new HomeAssistantDiscovery(config.room(),
                Topics.status(config.room()))) : java.util.Optional.empty();
        homeAssistant.ifPresent(ha -> {
            mqtt.onConnected(() -> statusPublisher.execute(() -> {
                for (HomeAssistantDiscovery.Message m : ha.discoveryMessages()) {
                    publishQuietly(m.topic(), m.payload(), m.retained());
                }
                lastHaState.set(null);
                publishHaState(ha);
            }));
            classroom.onChange(() -> statusPublisher.execute(() -> publishHaState(ha)));
        });

        outbox.append(EventType.HUB_STARTED, startedData());
        flow.reapplyAtStart();
        publisher.start();
        filterCheck.start();
        mqtt.start();
        kiosk.start(config.httpHost(), config.httpPort());
    }

    public static Hub start(HubConfig config, Clock clock) throws SQLException {
        return new Hub(config, clock);
    }

    private com.fasterxml.jackson.databind.node.ObjectNode startedData() {
        var data = Json.object();
        data.put("version", VERSION);
        data.put("gpio", config.gpioProvider().name().toLowerCase(java.util.Locale.ROOT));
        return data;
    }

    private HubStatus status(boolean online) {
        Aup aup = classroom == null ? Aup.sample(config.keyStage()) : classroom.aup();
        return new HubStatus(online, clock.instant(), VERSION, aup.keyStage(), aup.version(),
                flow == null ? List.of() : flow.activeNames(),
                outbox == null ? null : outbox.condition().orElse(null), outbox == null ? 0 : outbox.lastSeq(),
                online && outbox != null ? java.util.Optional.of(HealthReader.system(config.dataDir(), outbox::unsentCount).read())
                        : java.util.Optional.empty());
    }

    /** Opt-in Home Assistant state: worry open, isolation active, AUP version. Sent only when it changes. */
    private void publishHaState(HomeAssistantDiscovery ha) {
        if (!mqtt.isConnected()) {
            return;
        }
        HomeAssistantDiscovery.Message state = ha.state(classroom.worryOpen(), !flow.activeNames().isEmpty(), classroom.aup().version());
        if (!state.text().equals(lastHaState.get())) {
            publishQuietly(state.topic(), state.payload(), state.retained());
            lastHaState.set(state.text());
        }
    }

    private void publishQuietly(String topic, byte[] payload, boolean retained) {
        try {
            mqtt.publish(topic, payload, retained);
        } catch (haven.mqtt.PublishFailed e) {
            log.warn("publish failed room={} topic={} reason={}", config.room(), topic, e.getMessage());
        }
    }

    private void publishStatus() {
        try {
            HubStatus status = status(true);
            mqtt.publish(Topics.status(config.room()), status.encode(), true);
            lastStatusSeq.set(status.lastSeq());
            lastStatusAt.set(clock.millis());
        } catch (haven.mqtt.PublishFailed e) {
            log.warn("status publish failed room={} reason={}", config.room(), e.getMessage());
        }
    }

    /**
     * A retained site message goes on only with the coordinator's signature. An empty payload (a cleared retained
     * topic) carries none, so a signing hub refuses it too: else anyone could clear the filter targets and stop the checks.
     */
    private void signed(String topic, byte[] payload, java.util.function.Consumer<byte[]> then) {
        gate.siteMessage(topic, payload).ifPresent(then);
    }

    private void onCommand(String topic, byte[] payload, boolean retained) {
        java.util.Optional<Command> admitted = gate.command(topic, payload);
        if (admitted.isEmpty()) {
            return; // refused: counted and logged by the gate, and nothing on the kiosk changes
        }
        try {
            Command command = admitted.get();
            if (command.args().has(haven.protocol.ChainHead.COMMAND_FIELD)) {
                witness(command.args().get(haven.protocol.ChainHead.COMMAND_FIELD), "cmd/" + command.name().wire());
            }
            if (command.name() == haven.protocol.CommandName.RESEND) {
                // Transport repair, not a classroom action: no kiosk change and no event of its own.
                int again = outbox.resend(command.args().path("from").asLong(), command.args().path("to").asLong());
                log.info("resend requested room={} from={} to={} found={}", config.room(),
                        command.args().path("from").asLong(), command.args().path("to").asLong(), again);
                publisher.wake();
                return;
            }
            switch (command.name()) {
                case ISOLATE -> {
                    String machine = command.args().path("machine").asText("");
                    if (machine.isEmpty()) {
                        flow.begin("command");
                    } else {
                        flow.choose(machine);
                    }
                }
                case RELEASE -> flow.release(command.args().path("machine").asText(""));
                case TEST_MODE -> classroom.armTest(command.args().path("minutes").asInt(10), command.byName());
                case FILTER_CHECK -> {
                    filterCheck.request(command.id(), command.byName());
                    return; // its receipt is the filter.checked event carrying the command's id
                }
                default -> { }
            }
            classroom.apply(command);
        } catch (IllegalArgumentException e) {
            log.warn("command rejected room={} topic={} reason={}", config.room(), topic, e.getMessage());
        }
    }

    /** The evidence chain's head (retained): kept as this hub's witness of the coordinator's log. */
    private void onChainHead(byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        try {
            heads.seen(haven.protocol.ChainHead.decode(payload), "chain-head");
        } catch (IllegalArgumentException e) {
            log.warn("chain head rejected room={} reason={}", config.room(), e.getMessage());
        }
    }

    private void witness(com.fasterxml.jackson.databind.JsonNode json, String via) {
        try {
            heads.seen(haven.protocol.ChainHead.from(json), via);
        } catch (IllegalArgumentException e) {
            log.warn("chain head in command rejected room={} via={} reason={}", config.room(), via, e.getMessage());
        }
    }

    /** The school's filter test list (retained); an empty payload means the school cleared it. */
    private void onFilterTargets(byte[] payload) {
        try {
            filterCheck.targets(payload.length == 0 ? java.util.Optional.empty()
                    : java.util.Optional.of(haven.protocol.FilterTargets.decode(payload)));
        } catch (IllegalArgumentException e) {
            log.warn("filter targets rejected room={} reason={}", config.room(), e.getMessage());
        }
    }

    /** A newly published AUP: cache it, show it, and tell the coordinator which version is on screen. */
    private void onAup(AupCache aups, byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        try {
            AupMessage message = AupMessage.decode(payload);
            if (!message.keyStage().equals(config.keyStage()) || !message.language().equals(AupMessage.ENGLISH)
                    || message.version().equals(classroom.aup().version())) {
                return;
            }
            classroom.showAup(new Aup(message.keyStage(), message.version(), message.title(), message.markdown()));
            log.info("aup shown room={} keyStage={} version={}", config.room(), message.keyStage(), message.version());
            statusPublisher.execute(this::publishStatus);
            try {
                aups.save(message);
            } catch (java.sql.SQLException e) {
                log.warn("aup shown but not cached room={} reason={}", config.room(), e.getMessage());
            }
        } catch (IllegalArgumentException e) {
            log.warn("aup rejected room={} reason={}", config.room(), e.getMessage());
        }
    }

    /** The AUP in another language: cached and offered on the kiosk's language button; the hub's status stays English. */
    private void onAupTranslation(AupCache aups, byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        try {
            AupMessage message = AupMessage.decode(payload);
            if (!message.keyStage().equals(config.keyStage()) || message.language().equals(AupMessage.ENGLISH)
                    || translations.get(message.language()).map(a -> a.version().equals(message.version())).orElse(false)) {
                return;
            }
            translations.put(message.language(), new Aup(message.keyStage(), message.version(), message.title(), message.markdown()));
            log.info("aup translation cached room={} keyStage={} language={} version={}", config.room(), message.keyStage(),
                    message.language(), message.version());
            try {
                aups.save(message);
            } catch (java.sql.SQLException e) {
                log.warn("aup translation shown but not cached room={} language={} reason={}", config.room(), message.language(), e.getMessage());
            }
            classroom.changed();
        } catch (IllegalArgumentException e) {
            log.warn("aup translation rejected room={} reason={}", config.room(), e.getMessage());
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        return owned.add(resource);
    }

    public Classroom classroom() {
        return classroom;
    }

    public Outbox outbox() {
        return outbox;
    }

    public IsolationFlow isolation() {
        return flow;
    }

    public haven.classroom.filter.FilterCheck filterCheck() {
        return filterCheck;
    }

    /** What the hub refused on the coordinator's topics (docs/SECURITY.md, "Signed commands"). */
    public CommandGate commandGate() {
        return gate;
    }

    public StatusLeds leds() {
        return leds;
    }

    public MqttLink mqtt() {
        return mqtt;
    }

    public int kioskPort() {
        return kiosk.port();
    }

    public HubConfig config() {
        return config;
    }

    @Override
    public void close() {
        owned.close();
    }
}
