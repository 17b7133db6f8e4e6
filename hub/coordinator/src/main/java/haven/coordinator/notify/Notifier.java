package haven.coordinator.notify;

import haven.coordinator.Incident;
import haven.coordinator.IncidentListener;
import haven.coordinator.Incidents;
import haven.coordinator.Role;
import haven.coordinator.StaffAccounts;
import haven.store.Database;
import haven.coordinator.evidence.EventLog;
import java.net.http.HttpClient;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks each unacknowledged incident up its ladder: the first step's contacts at once, each later step's once
 * the incident has waited that long without an acknowledgement, until someone acknowledges it in the
 * dashboard (policy: reports reach the lead the same day, by the end of the lesson when urgent). A failed
 * send is retried with doubling backoff, then the contact's next channel is tried; a contact no channel
 * reaches is recorded, and when nobody in a step could be reached the next step starts at once.
 *
 * <p>All ladder state is kept on one thread ({@code notify-ladder}); sends run on virtual threads and hand
 * their result back to it. Time comes from the injected clock; the thread only looks at it every tick.
 */
public final class Notifier implements IncidentListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final NotifyConfig config;
    private final Database db;
    private final Incidents incidents;
    private final StaffAccounts staff;
    private final Timeline timeline;
    private final Map<String, Channel> channels;
    private final Clock clock;
    private final ConcurrentLinkedQueue<Incident> changed = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    /** Touched on the ladder thread only. */
    private final Map<Long, Ladder> ladders = new LinkedHashMap<>();
    private final Set<Long> finished = new HashSet<>();
    private final ScheduledExecutorService ladderThread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "notify-ladder");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("notify-send-", 0).factory());

    private final java.util.concurrent.atomic.AtomicLong passes = new java.util.concurrent.atomic.AtomicLong();
    private final Optional<HttpClient> http;
    private final Optional<PushSubscriptions> push;

    public Notifier(NotifyConfig config, Database db, Incidents incidents, StaffAccounts staff, EventLog eventLog,
                    Map<String, Channel> channels, Clock clock) {
        this(config, db, incidents, staff, eventLog, channels, clock, Optional.empty(), Optional.empty());
    }

    private Notifier(NotifyConfig config, Database db, Incidents incidents, StaffAccounts staff, EventLog eventLog,
                     Map<String, Channel> channels, Clock clock, Optional<HttpClient> http, Optional<PushSubscriptions> push) {
        this.http = http;
        this.push = push;
        this.config = config;
        this.db = db;
        this.incidents = incidents;
        this.staff = staff;
        this.timeline = new Timeline(db, eventLog, clock);
        this.channels = Map.copyOf(channels);
        this.clock = clock;
    }

    /** With the channels notify: configures, over an HTTP client of its own for the webhooks. */
    public static Notifier create(NotifyConfig config, Database db, Incidents incidents, StaffAccounts staff, EventLog eventLog,
                                  Clock clock) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Optional<PushSubscriptions> devices = config.push().map(p -> new PushSubscriptions(db, clock, new WebPush(new java.security.SecureRandom())));
        return new Notifier(config, db, incidents, staff, eventLog, channels(config, devices, http, clock), clock, Optional.of(http), devices);
    }

    /** Staff devices subscribed to Web Push, when notify.push is configured. */
    public Optional<PushSubscriptions> push() {
        return push;
    }

    /** The channels notify: configures: "email" over SMTP, "push" to subscribed devices, "webhook:NAME" for each webhook. */
    public static Map<String, Channel> channels(NotifyConfig config, Optional<PushSubscriptions> devices, HttpClient http, Clock clock) {
        Map<String, Channel> out = new HashMap<>();
        config.smtp().ifPresent(smtp -> out.put(Contact.EMAIL, new SmtpChannel(smtp)));
        config.push().ifPresent(p -> out.put(Contact.PUSH, new PushChannel(devices.orElseThrow(),
                new WebPush(new java.security.SecureRandom()), http, clock, p.subject(), p.ttl())));
        config.webhooks().forEach((name, hook) -> out.put(Contact.WEBHOOK_PREFIX + name, new WebhookChannel(hook, http, clock)));
        return out;
    }

    /** Starts looking every {@code tick}; ladders that were running before a restart carry on after the step they reached. */
    public Notifier start(Duration tick) {
        ladderThread.execute(this::resumeInProgress);
        ladderThread.scheduleWithFixedDelay(this::runOnce, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void incidentChanged(Incident incident) {
        changed.add(incident);
        wake();
    }

    private void wake() {
        try {
            ladderThread.execute(this::runOnce);
        } catch (RejectedExecutionException closing) {
            // shutting down: nothing more is sent
        }
    }

    // ---- the ladder thread -------------------------------------------------------------------------------------

    private static final class Ladder {
        Incident incident;
        AlertKind kind;
        List<Step> steps;
        final Instant start;
        int next;
        /** Set when nobody in a step could be reached: the next step is due now, not at its time. */
        Instant broughtForward;
        final Set<String> reached = new HashSet<>();
        final List<Delivery> deliveries = new ArrayList<>();

        Ladder(Incident incident, AlertKind kind, List<Step> steps, Instant start, int next) {
            this.incident = incident;
            this.kind = kind;
            this.steps = steps;
            this.start = start;
            this.next = next;
        }
    }

    /** One contact of one step, over their channels in order. */
    private static final class Delivery {
        final Ladder ladder;
        final int step;
        final Contact contact;
        final Role role;
        final List<String> channels;
        int channel;
        int attempt = 1;
        Instant nextAt;
        boolean inFlight;
        boolean done;
        boolean reached;

        Delivery(Ladder ladder, int step, Contact contact, Role role, Instant now) {
            this.ladder = ladder;
            this.step = step;
            this.contact = contact;
            this.role = role;
            this.channels = contact.channels();
            this.nextAt = now;
        }
    }

    private record Result(Delivery delivery, Channel.Outcome outcome) {
    }

    private void resumeInProgress() {
        try {
            for (Incident incident : db.read(c -> incidents.list(c, "open"))) {
                if (active(incident) && timeline.lastStep(incident).isPresent()) {
                    changed.add(incident);
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.error("notify could not resume ladders reason={}", e.getMessage());
        }
        runOnce();
    }

    private void runOnce() {
        try {
            Instant now = clock.instant();
            for (Incident incident; (incident = changed.poll()) != null; ) {
                noteChange(incident, now);
            }
            for (Result result; (result = results.poll()) != null; ) {
                applyResult(result, now);
            }
            for (Ladder ladder : List.copyOf(ladders.values())) {
                advance(ladder, now);
            }
        } catch (SQLException | RuntimeException e) {
            log.error("notify pass failed reason={}", e.getMessage(), e);
        }
        passes.incrementAndGet();
    }

    /** Passes over the ladders so far: a test that moved the clock waits for two more before it checks that nothing was sent. */
    public long passes() {
        return passes.get();
    }

    private static boolean active(Incident incident) {
        return "open".equals(incident.status()) || "escalated".equals(incident.status());
    }

    private void noteChange(Incident incident, Instant now) throws SQLException {
        Ladder known = ladders.get(incident.id());
        if (known != null) {
            known.incident = incident;
            return;
        }
        if (finished.contains(incident.id()) || !active(incident)) {
            return;
        }
        AlertKind kind = kindOf(incident);
        Instant opened = Instant.parse(incident.openedAt());
        Instant start = opened.isBefore(now) ? opened : now;
        boolean open = config.schoolHours().map(h -> h.isOpen(start)).orElse(true);
        OptionalInt done = timeline.lastStep(incident);
        Ladder ladder = new Ladder(incident, kind, config.ladder(kind, open), start, done.isPresent() ? done.getAsInt() + 1 : 0);
        ladders.put(incident.id(), ladder);
        log.info("alert ladder started incident={} kind={} schoolOpen={} fromStep={}", incident.id(), kind.wire(), open, ladder.next);
    }

    private AlertKind kindOf(Incident incident) {
        return haven.protocol.Category.fromWire(incident.category() == null ? "" : incident.category())
                .filter(config.urgentCategories()::contains).map(c -> AlertKind.URGENT_WORRY).orElse(AlertKind.WORRY);
    }

    private void advance(Ladder ladder, Instant now) throws SQLException {
        long id = ladder.incident.id();
        // The database decides, not the last change we heard of: another coordinator may have taken the acknowledgement.
        Optional<Incident> current = db.read(c -> incidents.find(c, id));
        if (current.isEmpty() || !active(current.get())) {
            ladders.remove(id);
            finished.add(id);
            log.info("alert ladder stopped incident={} status={}", id, current.map(Incident::status).orElse("gone"));
            return;
        }
        ladder.incident = current.get();
        AlertKind kind = kindOf(ladder.incident);
        if (kind != ladder.kind) {
            // The pupil chose an urgent category after the press: the urgent ladder from its start, minus whoever
            // already has the alert.
            ladder.kind = kind;
            ladder.steps = config.ladder(kind, config.schoolHours().map(h -> h.isOpen(ladder.start)).orElse(true));
            ladder.next = 0;
        }
        if (!ladder.incident.visibleTo(Role.COORDINATOR)) {
            headOnlyAtOnce(ladder, now);
        }
        while (ladder.next < ladder.steps.size() && !due(ladder, ladder.next).isAfter(now)) {
            startStep(ladder, ladder.next++, now);
        }
        for (Delivery d : ladder.deliveries) {
            if (!d.done && !d.inFlight && !d.nextAt.isAfter(now)) {
                dispatch(d, now);
            }
        }
        if (ladder.next >= ladder.steps.size() && ladder.deliveries.stream().allMatch(d -> d.done)) {
            ladders.remove(id);
            finished.add(id);
            log.info("alert ladder complete incident={}", id);
        }
    }

    private Instant due(Ladder ladder, int step) {
        Instant due = ladder.start.plus(ladder.steps.get(step).after());
        return ladder.broughtForward != null && ladder.broughtForward.isBefore(due) ? ladder.broughtForward : due;
    }

    private void startStep(Ladder ladder, int step, Instant now) throws SQLException {
        ladder.broughtForward = null;
        int added = 0;
        int left = 0;
        for (String name : ladder.steps.get(step).contacts()) {
            switch (addDelivery(ladder, step, name, now)) {
                case ADDED -> added++;
                case LEFT_OUT -> left++;
                case ALREADY_ALERTED -> { }
            }
        }
        // Nobody of this step can be alerted (no account, may not see it, no channel): do not wait for the next
        // step's time. A step whose contacts all have the alert already is not a failure, and waits as configured.
        if (added == 0 && left > 0) {
            ladder.broughtForward = now;
        }
    }

    private enum Added { ADDED, ALREADY_ALERTED, LEFT_OUT }

    /**
     * Policy: a concern about a member of staff goes to the headteacher and nobody else. Once an incident is
     * one, the ladder's head contacts are reached now instead of at their step, and others are left out.
     */
    private void headOnlyAtOnce(Ladder ladder, Instant now) throws SQLException {
        for (int step = ladder.next; step < ladder.steps.size(); step++) {
            for (String name : ladder.steps.get(step).contacts()) {
                if (!ladder.reached.contains(name) && staff.activeRole(name).filter(r -> r == Role.HEAD).isPresent()) {
                    addDelivery(ladder, step, name, now);
                }
            }
        }
    }

    private Added addDelivery(Ladder ladder, int step, String name, Instant now) throws SQLException {
        if (!ladder.reached.add(name)) {
            return Added.ALREADY_ALERTED;
        }
        Contact contact = config.contacts().get(name);
        Optional<Role> role = staff.activeRole(name);
        if (role.isEmpty()) {
            timeline.skipped(ladder.incident, step, name, "no enabled staff account of this name");
            log.warn("alert contact skipped incident={} contact={} reason=no-enabled-account", ladder.incident.id(), name);
            return Added.LEFT_OUT;
        }
        if (!ladder.incident.visibleTo(role.get())) {
            timeline.skipped(ladder.incident, step, name, "this concern is for the headteacher only");
            return Added.LEFT_OUT;
        }
        if (contact.channels().stream().noneMatch(channels::containsKey)) {
            timeline.skipped(ladder.incident, step, name, "none of this contact's channels is configured");
            return Added.LEFT_OUT;
        }
        ladder.deliveries.add(new Delivery(ladder, step, contact, role.get(), now));
        return Added.ADDED;
    }

    private void dispatch(Delivery d, Instant now) throws SQLException {
        Incident incident = d.ladder.incident;
        if (!incident.visibleTo(d.role)) {
            // The category arrived while this send waited for a retry.
            d.done = true;
            timeline.skipped(incident, d.step, d.contact.staff(), "this concern is for the headteacher only");
            return;
        }
        String channelName = d.channels.get(d.channel);
        Channel channel = channels.get(channelName);
        if (channel == null) {
            applyResult(new Result(d, new Channel.Outcome(false, "channel " + channelName + " is not configured")), now);
            return;
        }
        d.inFlight = true;
        Alert alert = Alert.of(d.ladder.kind, incident, config, now);
        int step = d.step;
        int attempt = d.attempt;
        String contact = d.contact.staff();
        senders.execute(() -> {
            Channel.Outcome outcome;
            try {
                outcome = channel.send(d.contact, alert);
            } catch (RuntimeException e) {
                outcome = Channel.Outcome.failed(e);
            }
            log.info("alert send incident={} step={} contact={} channel={} attempt={} outcome={}", incident.id(), step, contact,
                    channelName, attempt, outcome.accepted() ? "accepted" : "failed");
            try {
                timeline.attempt(incident, step, contact, channelName, attempt, outcome);
            } catch (SQLException | RuntimeException e) {
                log.error("alert attempt not recorded incident={} reason={}", incident.id(), e.getMessage());
            }
            results.add(new Result(d, outcome));
            wake();
        });
    }

    private void applyResult(Result result, Instant now) throws SQLException {
        Delivery d = result.delivery();
        d.inFlight = false;
        if (!ladders.containsKey(d.ladder.incident.id())) {
            return; // acknowledged meanwhile
        }
        if (result.outcome().accepted()) {
            d.done = true;
            d.reached = true;
            return;
        }
        if (d.attempt < config.attempts()) {
            d.nextAt = now.plus(config.backoff().multipliedBy(1L << Math.min(d.attempt - 1, 10)));
            d.attempt++;
            return;
        }
        if (d.channel + 1 < d.channels.size()) {
            d.channel++;
            d.attempt = 1;
            d.nextAt = now;
            return;
        }
        d.done = true;
        timeline.unreachable(d.ladder.incident, d.step, d.contact.staff(), d.channels);
        log.warn("alert contact unreachable incident={} step={} contact={}", d.ladder.incident.id(), d.step, d.contact.staff());
        boolean stepFailed = d.ladder.deliveries.stream().filter(x -> x.step == d.step).allMatch(x -> x.done && !x.reached);
        if (stepFailed && d.ladder.next == d.step + 1) {
            d.ladder.broughtForward = now; // only the step right after the failed one, not one further up
        }
    }

    @Override
    public void close() {
        ladderThread.shutdownNow();
        senders.shutdownNow();
        http.ifPresent(HttpClient::close);
    }
}
