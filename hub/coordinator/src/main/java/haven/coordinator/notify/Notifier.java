package haven.coordinator.notify;

import haven.coordinator.Incident;
import haven.coordinator.IncidentListener;
import haven.coordinator.Incidents;
import haven.coordinator.IsolationView;
import haven.coordinator.Permission;
import haven.coordinator.Permissions;
import haven.coordinator.RoomView;
import haven.coordinator.Rooms;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.RoomId;
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
 * <p>Worries are not the only alerts: an incident opened by an isolation, a failed filter check or a member of
 * staff's concern, a classroom hub offline in school hours and an overdue action each raise the ladder the
 * school wrote for that kind (none when it wrote none). Everything comes through one raise and one resolve.
 *
 * <p>All ladder state is kept on one thread ({@code notify-ladder}); sends run on virtual threads and hand
 * their result back to it. Time comes from the injected clock; the thread only looks at it every tick.
 */
public final class Notifier implements IncidentListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    /** A hub back online is declared back once it has stayed up this long, so a flapping hub is one alert, not a storm. */
    static final Duration HUB_BACK_STEADY = Duration.ofMinutes(2);
    /** How often the rooms' presence is read for hub-offline alerts, by the coordinator's clock. */
    private static final Duration ROOM_POLL = Duration.ofSeconds(5);

    private final NotifyConfig config;
    private final Database db;
    private final Incidents incidents;
    private final Rooms rooms;
    private final StaffAccounts staff;
    private final Timeline timeline;
    private final Map<String, Channel> channels;
    private final Clock clock;
    private final IncidentListener failuresChanged;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    /** Touched on the ladder thread only, by ladder key (see {@link Ladder#key}). */
    private final Map<String, Ladder> ladders = new LinkedHashMap<>();
    private final Set<String> finished = new HashSet<>();
    private Instant roomsPolled;
    private Map<RoomId, RoomView> roomState = Map.of();
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
        this(config, db, incidents, new Rooms(), staff, eventLog, channels, clock, i -> { }, Optional.empty(), Optional.empty());
    }

    private Notifier(NotifyConfig config, Database db, Incidents incidents, Rooms rooms, StaffAccounts staff, EventLog eventLog,
                     Map<String, Channel> channels, Clock clock, IncidentListener failuresChanged, Optional<HttpClient> http,
                     Optional<PushSubscriptions> push) {
        this.http = http;
        this.push = push;
        this.config = config;
        this.db = db;
        this.incidents = incidents;
        this.rooms = rooms;
        this.staff = staff;
        this.timeline = new Timeline(db, eventLog, clock);
        this.channels = Map.copyOf(channels);
        this.clock = clock;
        this.failuresChanged = failuresChanged;
    }

    /** With the channels notify: configures, over an HTTP client of its own for the webhooks. */
    public static Notifier create(NotifyConfig config, Database db, Incidents incidents, StaffAccounts staff, EventLog eventLog,
                                  Clock clock) {
        return create(config, db, incidents, new Rooms(), staff, eventLog, clock, i -> { });
    }

    /**
     * As {@link #create(NotifyConfig, Database, Incidents, StaffAccounts, EventLog, Clock)}, reading the rooms'
     * presence for hub-offline alerts, and telling {@code failuresChanged} (the dashboards' live feed) of an incident
     * whose count of undelivered alerts changed.
     */
    public static Notifier create(NotifyConfig config, Database db, Incidents incidents, Rooms rooms, StaffAccounts staff,
                                  EventLog eventLog, Clock clock, IncidentListener failuresChanged) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Optional<PushSubscriptions> devices = config.push().map(p -> new PushSubscriptions(db, clock, new WebPush(new java.security.SecureRandom())));
        return new Notifier(config, db, incidents, rooms, staff, eventLog, channels(config, devices, http, clock), clock,
                failuresChanged, Optional.of(http), devices);
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

    // ---- what raises and resolves alerts: called on any thread, handed to the ladder thread -------------------

    /** Every incident change after its commit: an incident opened raises the alert its source names (docs/NOTIFICATIONS.md). */
    @Override
    public void incidentChanged(Incident incident) {
        hand(() -> noteIncident(incident));
    }

    /**
     * An isolation the hub reported (isolation.requested / isolation.applied), for as long as isolations do not
     * open incidents of their own: the isolation ladder, stopped when it is released. An incident with source
     * isolation for the same room takes the ladder over, with whoever it already reached.
     */
    public void isolationChanged(IsolationView isolation) {
        // Heard of now, by the coordinator's clock (called from ingest): the ladder counts from here, never from the hub's time.
        Instant heard = clock.instant();
        hand(() -> noteIsolation(isolation, heard));
    }

    /**
     * An action agreed on an incident is past its due time (wired to haven.coordinator.CaseAlerts): the
     * action-overdue ladder from {@code due}, until the action is done ({@link #actionDone}) or the incident
     * closed. The same action and due time again is the same alert; the action's kind is recorded on the
     * timeline and never put in the alert.
     */
    public void actionOverdue(Incident incident, String actionKind, Instant due) {
        hand(() -> {
            ObjectNode tags = Timeline.About.incident(incident, AlertKind.ACTION_OVERDUE).tags();
            tags.put("action", actionKind);
            tags.put("due", haven.protocol.Json.time(due));
            raise(Raise.at(actionKey(incident, actionKind) + due, AlertKind.ACTION_OVERDUE,
                    new Timeline.About(incident.room(), Optional.of(incident), tags), due, clock.instant()));
        });
    }

    /** The overdue action was done: its ladder stops (nothing more is said). */
    public void actionDone(Incident incident, String actionKind) {
        String prefix = actionKey(incident, actionKind);
        hand(() -> List.copyOf(ladders.keySet()).stream().filter(k -> k.startsWith(prefix)).forEach(k -> resolve(k, "action done")));
    }

    /**
     * A data breach recorded, flagged as near its deadline, or decided (docs/DATA-PROTECTION.md): undecided, the
     * data-breach ladder from its recording, and a second one from the moment under 24 hours were left; decided,
     * both stop. The same breach again is the same alerts, so the deadline scan may announce every open breach
     * after a restart and each ladder resumes after the step it had reached (its records say which).
     */
    public void breachChanged(haven.coordinator.Breaches.Breach breach) {
        String prefix = "data-breach:" + breach.id() + ":";
        hand(() -> {
            if (!breach.open()) {
                List.copyOf(ladders.keySet()).stream().filter(k -> k.startsWith(prefix)).forEach(k -> resolve(k, "breach decided"));
                finished.add(prefix + "recorded");
                finished.add(prefix + "deadline");
                return;
            }
            raise(new Raise(prefix + "recorded", AlertKind.DATA_BREACH, breachAbout(breach, null), breach.discoveredAt(),
                    Instant.parse(breach.recordedAt())));
            if (breach.deadlineWarnedAt() != null) {
                raise(new Raise(prefix + "deadline", AlertKind.DATA_BREACH, breachAbout(breach, breach.deadline()),
                        breach.discoveredAt(), Instant.parse(breach.deadlineWarnedAt())));
            }
        });
    }

    /** Filed under the school, tied to the breach by its ref; the deadline alert's records also carry the deadline. */
    private static Timeline.About breachAbout(haven.coordinator.Breaches.Breach breach, Instant deadline) {
        ObjectNode tags = haven.protocol.Json.object();
        tags.put("alert", AlertKind.DATA_BREACH.wire());
        tags.put("breach", breach.ref());
        if (deadline != null) {
            tags.put("due", haven.protocol.Json.time(deadline));
        }
        return new Timeline.About(haven.coordinator.evidence.StaffDecisions.SCHOOL, Optional.empty(), tags);
    }

    private static String actionKey(Incident incident, String actionKind) {
        return "action-overdue:" + incident.id() + ":" + actionKind + ":";
    }

    private void hand(Runnable change) {
        inbox.add(change);
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

    /**
     * A new alert: its ladder key (one ladder per key at a time), kind, what its records are about, since when
     * (what the alert says), and when its ladder starts (the steps' "after" counts from there).
     */
    private record Raise(String key, AlertKind kind, Timeline.About about, Instant since, Instant start) {
        /** A coordinator-timed alert (an action's due time): the ladder starts then, or now if that is still ahead. */
        static Raise at(String key, AlertKind kind, Timeline.About about, Instant since, Instant now) {
            return new Raise(key, kind, about, since, since.isBefore(now) ? since : now);
        }
    }

    private static final class Ladder {
        /** "incident:42", "isolation:site/room:7", "hub-offline:site/room", "action-overdue:42:KIND:DUE". */
        final String key;
        Timeline.About about;
        AlertKind kind;
        List<Step> steps;
        /** What the alert says it is since (the press, the isolation, the hub going offline, the due time). */
        final Instant since;
        final Instant start;
        int next;
        /** Set when nobody in a step could be reached: the next step is due now, not at its time. */
        Instant broughtForward;
        /** Resolved (the hub is back): no further step; only the "back" messages still to send. */
        boolean resolved;
        final Set<String> reached = new HashSet<>();
        final List<Delivery> deliveries = new ArrayList<>();

        Ladder(String key, Timeline.About about, AlertKind kind, List<Step> steps, Instant since, Instant start, int next) {
            this.key = key;
            this.about = about;
            this.kind = kind;
            this.steps = steps;
            this.since = since;
            this.start = start;
            this.next = next;
        }

        Optional<Incident> incident() {
            return about.incident();
        }
    }

    /** One contact of one step, over their channels in order. */
    private static final class Delivery {
        final Ladder ladder;
        final int step;
        final Contact contact;
        final Role role;
        final List<String> channels;
        /** The ladder's kind, or hub-back for the message that the hub is back. */
        final AlertKind kind;
        int channel;
        int attempt = 1;
        Instant nextAt;
        boolean inFlight;
        boolean done;
        boolean reached;

        Delivery(Ladder ladder, int step, Contact contact, Role role, Instant now, AlertKind kind) {
            this.ladder = ladder;
            this.step = step;
            this.contact = contact;
            this.role = role;
            this.channels = contact.channels();
            this.nextAt = now;
            this.kind = kind;
        }
    }

    private record Result(Delivery delivery, Channel.Outcome outcome) {
    }

    private void resumeInProgress() {
        try {
            for (Incident incident : db.query(c -> incidents.list(c, "open"))) {
                AlertKind kind = kindOf(incident);
                if (active(incident) && timeline.lastStep(Timeline.About.incident(incident, kind)).isPresent()) {
                    inbox.add(() -> noteIncident(incident));
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
            for (Runnable change; (change = inbox.poll()) != null; ) {
                change.run();
            }
            for (Result result; (result = results.poll()) != null; ) {
                applyResult(result, now);
            }
            pollRooms(now);
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
        return incident.waiting();
    }

    /** Whether the ladder stops now: acknowledged or closed stops an incident's own ladder; only closing stops an overdue action's. */
    private static boolean stops(Ladder ladder, Optional<Incident> current) {
        if (ladder.incident().isEmpty()) {
            return false;
        }
        if (current.isEmpty()) {
            return true;
        }
        return ladder.kind == AlertKind.ACTION_OVERDUE ? current.get().closed() : !active(current.get());
    }

    private void noteIncident(Incident incident) {
        String key = "incident:" + incident.id();
        Ladder known = ladders.get(key);
        if (known != null) {
            known.about = known.about.withIncident(incident);
            return;
        }
        if (finished.contains(key) || !active(incident)) {
            return;
        }
        AlertKind kind = kindOf(incident);
        raise(new Raise(key, kind, Timeline.About.incident(incident, kind), incident.openedAt(), receivedAt(incident)));
    }

    /**
     * When the coordinator received the incident's first event, by its own clock (issue #18): the ladder and the
     * school-hours choice count from there, never from opened_at, the hub's clock, which on an unsynchronised Pi
     * can be hours behind (every step due at once) or ahead. An incident with no hub event (opened by the
     * coordinator itself) is heard of now.
     */
    private Instant receivedAt(Incident incident) {
        try {
            return db.query(c -> incidents.chronology(c, incident)).stream()
                    .filter(e -> "event".equals(e.path("kind").asText()) && e.path("receivedAt").isTextual())
                    .map(e -> Instant.parse(e.get("receivedAt").asText()))
                    .min(java.util.Comparator.naturalOrder())
                    .orElseGet(clock::instant);
        } catch (SQLException | RuntimeException e) {
            log.warn("receive time unreadable incident={} reason={}; counting from now", incident.id(), e.getMessage());
            return clock.instant();
        }
    }

    private void noteIsolation(IsolationView isolation, Instant heard) {
        String key = "isolation:" + isolation.room().site() + "/" + isolation.room().room() + ":" + isolation.id();
        if ("released".equals(isolation.status())) {
            resolve(key, "released");
            return;
        }
        if (ladders.containsKey(key) || finished.contains(key)) {
            return;
        }
        boolean incidentHasIt = ladders.values().stream().anyMatch(l -> l.kind == AlertKind.ISOLATION && l.incident().isPresent()
                && l.about.room().equals(isolation.room()));
        if (incidentHasIt) {
            finished.add(key);
            return;
        }
        ObjectNode tags = haven.protocol.Json.object();
        tags.put("alert", AlertKind.ISOLATION.wire());
        tags.put("isolation", isolation.id());
        // Never the machine, its address or anything else of the isolation: the room and the time only.
        raise(new Raise(key, AlertKind.ISOLATION, new Timeline.About(isolation.room(), Optional.empty(), tags),
                Instant.parse(isolation.requestedAt()), heard));
    }

    /** The one way a ladder starts, whatever raised it. */
    private void raise(Raise r) {
        if (ladders.containsKey(r.key()) || finished.contains(r.key())) {
            return;
        }
        try {
            Instant start = r.start();
            boolean open = config.schoolHours().map(h -> h.isOpen(start)).orElse(true);
            List<Step> steps = config.ladder(r.kind(), open);
            if (steps.isEmpty()) {
                finished.add(r.key());
                log.debug("alert not configured key={} kind={}", r.key(), r.kind().wire());
                return;
            }
            OptionalInt done = timeline.lastStep(r.about());
            Ladder ladder = new Ladder(r.key(), r.about(), r.kind(), steps, r.since(), start, done.isPresent() ? done.getAsInt() + 1 : 0);
            if (r.kind() == AlertKind.ISOLATION && r.about().incident().isPresent()) {
                takeOverIsolation(ladder);
            }
            ladders.put(r.key(), ladder);
            log.info("alert ladder started key={} kind={} schoolOpen={} fromStep={}", r.key(), r.kind().wire(), open, ladder.next);
        } catch (SQLException | RuntimeException e) {
            log.error("alert ladder could not start key={} reason={}", r.key(), e.getMessage());
        }
    }

    /** The hub's isolation event got there first: the incident's ladder carries on for whoever it reached. */
    private void takeOverIsolation(Ladder incidentLadder) {
        for (Ladder other : List.copyOf(ladders.values())) {
            if (other.kind == AlertKind.ISOLATION && other.incident().isEmpty() && other.about.room().equals(incidentLadder.about.room())) {
                incidentLadder.reached.addAll(other.reached);
                other.deliveries.forEach(d -> d.done = true);
                ladders.remove(other.key);
                finished.add(other.key);
                log.info("alert ladder handed over key={} to={}", other.key, incidentLadder.key);
            }
        }
    }

    /** The one way a ladder ends early: nothing more is sent, except a hub's "back online" to whoever had the alert. */
    private void resolve(String key, String why) {
        Ladder ladder = ladders.get(key);
        finished.add(key);
        if (ladder == null || ladder.resolved) {
            return;
        }
        ladder.resolved = true;
        List<Delivery> back = new ArrayList<>();
        for (Delivery d : ladder.deliveries) {
            if (!d.done || d.inFlight) {
                d.done = true;
            }
            if (ladder.kind == AlertKind.HUB_OFFLINE && d.reached) {
                back.add(new Delivery(ladder, d.step, d.contact, d.role, clock.instant(), AlertKind.HUB_BACK));
            }
        }
        ladder.deliveries.addAll(back);
        log.info("alert resolved key={} reason={} told={}", key, why, back.size());
        if (back.isEmpty()) {
            ladders.remove(key);
        }
    }

    private AlertKind kindOf(Incident incident) {
        return switch (incident.source()) {
            case CONCERN -> AlertKind.STAFF_CONCERN;
            case FILTER_CHECK -> AlertKind.FILTER_CHECK_FAILED;
            case ISOLATION -> AlertKind.ISOLATION;
            case WORRY -> haven.protocol.Category.fromWire(incident.category() == null ? "" : incident.category())
                    .filter(config.urgentCategories()::contains).map(c -> AlertKind.URGENT_WORRY).orElse(AlertKind.WORRY);
        };
    }

    /**
     * Hub offline: a room offline for notify.hubOfflineMinutes of school hours (the minutes before the school
     * opened do not count: a hub switched on at 08:05 is not an alert at 08:00). It is back once it has stayed
     * online for {@link #HUB_BACK_STEADY}; dropping again before that is the same alert, not a new one.
     */
    private void pollRooms(Instant now) throws SQLException {
        if (!config.ladders().containsKey(AlertKind.HUB_OFFLINE)
                || roomsPolled != null && now.isBefore(roomsPolled.plus(ROOM_POLL)) && !now.isBefore(roomsPolled)) {
            return;
        }
        roomsPolled = now;
        Map<RoomId, RoomView> state = new HashMap<>();
        db.query(rooms::list).forEach(r -> state.put(r.room(), r));
        roomState = state;
        for (RoomView room : state.values()) {
            String key = "hub-offline:" + room.room().site() + "/" + room.room().room();
            Ladder known = ladders.get(key);
            if (room.since() == null) {
                continue;
            }
            Instant since = Instant.parse(room.since());
            if (room.online()) {
                if (known != null && !known.resolved && !now.isBefore(since.plus(HUB_BACK_STEADY))) {
                    resolve(key, "back online");
                }
                continue;
            }
            if (known != null) {
                continue;
            }
            Optional<Instant> counted = config.schoolHours().isEmpty() ? Optional.of(since)
                    : config.schoolHours().get().openSince(now).map(opened -> opened.isAfter(since) ? opened : since);
            if (counted.isEmpty() || now.isBefore(counted.get().plus(config.hubOffline()))) {
                continue;
            }
            finished.remove(key); // a new episode: the last one was resolved
            ObjectNode tags = haven.protocol.Json.object();
            tags.put("alert", AlertKind.HUB_OFFLINE.wire());
            tags.put("since", room.since());
            // Its ladder starts when it became an alert, not when the hub went down: step 1 then, step 2 its delay later.
            raise(new Raise(key, AlertKind.HUB_OFFLINE, new Timeline.About(room.room(), Optional.empty(), tags), since,
                    counted.get().plus(config.hubOffline())));
        }
    }

    private void advance(Ladder ladder, Instant now) throws SQLException {
        if (ladder.incident().isPresent()) {
            long id = ladder.incident().get().id();
            // The database decides, not the last change we heard of: another coordinator may have taken the acknowledgement.
            Optional<Incident> current = db.query(c -> incidents.find(c, id));
            if (!ladder.resolved && stops(ladder, current)) {
                ladders.remove(ladder.key);
                finished.add(ladder.key);
                log.info("alert ladder stopped key={} status={}", ladder.key, current.map(i -> i.status().stored()).orElse("gone"));
                return;
            }
            current.ifPresent(i -> ladder.about = ladder.about.withIncident(i));
            AlertKind kind = kindOf(ladder.incident().get());
            if (ladder.kind.isWorry() && kind != ladder.kind) {
                // The pupil chose an urgent category after the press: the urgent ladder from its start, minus whoever
                // already has the alert.
                ladder.kind = kind;
                ladder.steps = config.ladder(kind, config.schoolHours().map(h -> h.isOpen(ladder.start)).orElse(true));
                ladder.next = 0;
            }
            if (!ladder.resolved && !ladder.incident().get().visibleTo(Role.COORDINATOR)) {
                restrictedAtOnce(ladder, now);
            }
        }
        while (!ladder.resolved && stepsMayStart(ladder, now) && ladder.next < ladder.steps.size() && !due(ladder, ladder.next).isAfter(now)) {
            startStep(ladder, ladder.next++, now);
        }
        for (Delivery d : ladder.deliveries) {
            if (!d.done && !d.inFlight && !d.nextAt.isAfter(now)) {
                dispatch(d, now);
            }
        }
        // A hub's ladder that has climbed to the top stays until the hub is back: that is when it is said once.
        boolean waitsForBack = ladder.kind == AlertKind.HUB_OFFLINE && !ladder.resolved;
        if (!waitsForBack && (ladder.resolved || ladder.next >= ladder.steps.size()) && ladder.deliveries.stream().allMatch(d -> d.done)) {
            ladders.remove(ladder.key);
            finished.add(ladder.key);
            log.info("alert ladder complete key={}", ladder.key);
        }
    }

    /** A hub's ladder climbs only while the hub is still down and the school open: nobody is called at night for it. */
    private boolean stepsMayStart(Ladder ladder, Instant now) {
        if (ladder.kind != AlertKind.HUB_OFFLINE) {
            return true;
        }
        if (config.schoolHours().map(h -> !h.isOpen(now)).orElse(false)) {
            return false;
        }
        RoomView room = roomState.get(ladder.about.room());
        return room == null || !room.online();
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
     * one (a pupil's worry about an adult, a staff concern about a member of staff), the ladder's contacts who
     * may see it are reached now instead of at their step, and the others are left out. Who may see it is
     * decided in one place, {@link Incident#visibleTo}.
     */
    private void restrictedAtOnce(Ladder ladder, Instant now) throws SQLException {
        Incident incident = ladder.incident().orElseThrow();
        for (int step = ladder.next; step < ladder.steps.size(); step++) {
            for (String name : ladder.steps.get(step).contacts()) {
                if (!ladder.reached.contains(name) && staff.activeRole(name).filter(incident::visibleTo).isPresent()) {
                    addDelivery(ladder, step, name, now);
                }
            }
        }
    }

    /** What a role must be allowed to see to be told of an alert that is not about an incident. */
    private static Permission needs(AlertKind kind) {
        if (kind == AlertKind.DATA_BREACH) {
            return Permission.VIEW_BREACHES;
        }
        return kind == AlertKind.ISOLATION ? Permission.VIEW_ISOLATIONS : Permission.VIEW_ROOMS;
    }

    private Added addDelivery(Ladder ladder, int step, String name, Instant now) throws SQLException {
        if (!ladder.reached.add(name)) {
            return Added.ALREADY_ALERTED;
        }
        Contact contact = config.contacts().get(name);
        Optional<Role> role = staff.activeRole(name);
        if (role.isEmpty()) {
            timeline.skipped(ladder.about, step, name, "no enabled staff account of this name");
            log.warn("alert contact skipped key={} contact={} reason=no-enabled-account", ladder.key, name);
            return Added.LEFT_OUT;
        }
        if (ladder.incident().isPresent() ? !ladder.incident().get().visibleTo(role.get())
                : !Permissions.allows(role.get(), needs(ladder.kind))) {
            timeline.skipped(ladder.about, step, name, ladder.incident().isPresent() ? "this concern is for the headteacher only"
                    : "this role may not see " + needs(ladder.kind).wire());
            return Added.LEFT_OUT;
        }
        if (contact.channels().stream().noneMatch(channels::containsKey)) {
            timeline.skipped(ladder.about, step, name, "none of this contact's channels is configured");
            return Added.LEFT_OUT;
        }
        ladder.deliveries.add(new Delivery(ladder, step, contact, role.get(), now, ladder.kind));
        return Added.ADDED;
    }

    private void dispatch(Delivery d, Instant now) throws SQLException {
        Optional<Incident> incident = d.ladder.incident();
        if (incident.isPresent() && !incident.get().visibleTo(d.role)) {
            // The category arrived while this send waited for a retry.
            d.done = true;
            timeline.skipped(d.ladder.about, d.step, d.contact.staff(), "this concern is for the headteacher only");
            return;
        }
        String channelName = d.channels.get(d.channel);
        Channel channel = channels.get(channelName);
        if (channel == null) {
            applyResult(new Result(d, new Channel.Outcome(false, "channel " + channelName + " is not configured")), now);
            return;
        }
        d.inFlight = true;
        Alert alert = Alert.about(d.kind, incident.map(Incident::id).orElse(Alert.NO_INCIDENT), d.ladder.about.room(),
                d.kind == AlertKind.HUB_BACK ? now : d.ladder.since, config, now);
        Timeline.About about = d.kind == d.ladder.kind ? d.ladder.about : saying(d.ladder.about, d.kind);
        int step = d.step;
        int attempt = d.attempt;
        String contact = d.contact.staff();
        String key = d.ladder.key;
        senders.execute(() -> {
            Channel.Outcome outcome;
            try {
                outcome = channel.send(d.contact, alert);
            } catch (RuntimeException e) {
                outcome = Channel.Outcome.failed(e);
            }
            log.info("alert send key={} step={} contact={} channel={} attempt={} outcome={}", key, step, contact,
                    channelName, attempt, outcome.accepted() ? "accepted" : "failed");
            try {
                if (timeline.attempt(about, step, contact, channelName, attempt, outcome) && incident.isPresent()) {
                    long id = incident.get().id();
                    db.query(c -> incidents.find(c, id)).ifPresent(failuresChanged::incidentChanged);
                }
            } catch (SQLException | RuntimeException e) {
                log.error("alert attempt not recorded key={} reason={}", key, e.getMessage());
            }
            results.add(new Result(d, outcome));
            wake();
        });
    }

    /** The records of a message other than the ladder's own alert (a hub back online) say which it was. */
    private static Timeline.About saying(Timeline.About about, AlertKind kind) {
        ObjectNode tags = about.tags().deepCopy();
        tags.put("message", kind.wire());
        return new Timeline.About(about.room(), about.incident(), tags);
    }

    private void applyResult(Result result, Instant now) throws SQLException {
        Delivery d = result.delivery();
        d.inFlight = false;
        if (ladders.get(d.ladder.key) != d.ladder || d.done) {
            return; // acknowledged or resolved meanwhile
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
        timeline.unreachable(d.ladder.about, d.step, d.contact.staff(), d.channels);
        log.warn("alert contact unreachable key={} step={} contact={}", d.ladder.key, d.step, d.contact.staff());
        boolean stepFailed = d.ladder.deliveries.stream().filter(x -> x.step == d.step && x.kind == d.kind).allMatch(x -> x.done && !x.reached);
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
