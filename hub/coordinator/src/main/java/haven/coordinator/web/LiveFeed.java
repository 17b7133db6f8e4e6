package haven.coordinator.web;

import haven.coordinator.IncidentListener;

import haven.coordinator.Incidents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Changes;
import haven.coordinator.Incident;
import haven.coordinator.IncidentView;
import haven.coordinator.IsolationView;
import haven.coordinator.RoomView;
import haven.coordinator.StaffSession;
import haven.coordinator.Visibility;
import haven.protocol.Json;
import io.javalin.websocket.WsContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes changes to every open dashboard. Each message carries a sequence number; a client that sees a
 * gap (it missed a message during a network blip) fetches /api/snapshot and carries on from there.
 * Incidents are filtered per viewer: concerns about an adult reach the headteacher only.
 */
public final class LiveFeed implements Changes {
    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);

    private final Map<WsContext, Viewer> clients = new ConcurrentHashMap<>();
    private final List<IncidentListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<IsolationView>> isolationListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.BiConsumer<Incident, String>> actionDoneListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<haven.coordinator.Breaches.Breach>> breachListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * One open dashboard and the incidents it has been shown. An incident can become invisible to someone
     * who saw it (a pupil chooses "about a grown-up" after the room's teacher saw the press): such a viewer
     * gets a retraction by id, so the row does not stay on their screen. Viewers who never saw it get
     * only the sequence number.
     */
    private record Viewer(StaffSession session, Set<Long> shown, Set<Long> failing) {
    }
    private long seq;

    /**
     * The live messages, each {"kind": kind, "seq": n, ...}: the sequence number alone for a viewer who may not see
     * the change, a retraction by id, an incident as this viewer may see it, and the deltas every viewer may see
     * (their body still the tree its owner builds).
     */
    record Hidden(String kind, long seq) {
        Hidden(long seq) {
            this("hidden", seq);
        }
    }

    record Retract(String kind, long seq, long id) {
        Retract(long seq, long id) {
            this("retract", seq, id);
        }
    }

    /** alertFailures: the header's count of incidents whose alerts did not get through, for this viewer. */
    record IncidentChanged(String kind, long seq, IncidentView incident, int alertFailures) {
        IncidentChanged(long seq, IncidentView incident, int alertFailures) {
            this("incident", seq, incident, alertFailures);
        }
    }

    record RoomChanged(String kind, long seq, JsonNode room) {
    }

    record AupsChanged(String kind, long seq, JsonNode aups) {
    }

    record IsolationChanged(String kind, long seq, JsonNode isolation) {
    }

    record UnblockRequestChanged(String kind, long seq, JsonNode unblockRequest) {
    }

    /**
     * The rooms, open incidents and isolations a viewer may see, how many of those incidents have alerts that did not
     * get through (docs/NOTIFICATIONS.md), the AUP versions and the sequence number it is current at; kind only on
     * the WebSocket, where it is the first message.
     */
    record Snapshot(List<JsonNode> isolations, List<JsonNode> rooms, List<IncidentView> incidents, long alertFailures, JsonNode aups,
                    long seq, @JsonInclude(JsonInclude.Include.NON_NULL) String kind) {
        Snapshot joined(long at) {
            return new Snapshot(isolations, rooms, incidents, alertFailures, aups, at, "snapshot");
        }
    }

    public synchronized long seq() {
        return seq;
    }

    void join(WsContext ctx, StaffSession viewer, Snapshot snapshot) {
        synchronized (this) {
            Set<Long> shown = new HashSet<>();
            Set<Long> failing = new HashSet<>();
            for (IncidentView i : snapshot.incidents()) {
                shown.add(id(i));
                if (alertFailures(i) > 0) {
                    failing.add(id(i));
                }
            }
            clients.put(ctx, new Viewer(viewer, shown, failing));
            send(ctx, Json.writeValue(snapshot.joined(seq)));
        }
    }

    private static long id(IncidentView view) {
        return switch (view) {
            case IncidentView.Full f -> f.id();
            case IncidentView.Redacted r -> r.id();
        };
    }

    private static int alertFailures(IncidentView view) {
        return switch (view) {
            case IncidentView.Full f -> f.alertFailures();
            case IncidentView.Redacted r -> r.alertFailures();
        };
    }

    public void leave(WsContext ctx) {
        clients.remove(ctx);
    }

    public int clientCount() {
        return clients.size();
    }

    @Override
    public synchronized void roomChanged(RoomView room) {
        broadcast(new RoomChanged("room", ++seq, room.toJson()));
    }

    /**
     * Told of every incident change (opened, more presses, detail, acknowledged, escalated, closed): every one
     * already comes here after its commit, so alerts to staff see exactly what the dashboards see.
     */
    public void onIncidentChanged(IncidentListener listener) {
        listeners.add(listener);
    }

    @Override
    public synchronized void incidentChanged(Incident incident) {
        listeners.forEach(l -> l.incidentChanged(incident));
        long next = ++seq;
        // Viewers who may not see it still get the sequence number, so they do not resync for nothing.
        String hiddenText = Json.writeValue(new Hidden(next));
        String retractText = Json.writeValue(new Retract(next, incident.id()));
        clients.forEach((ctx, viewer) -> {
            java.util.Optional<IncidentView> view = incident.view(viewer.session());
            if (view.isPresent()) {
                // A closed incident leaves every dashboard, so it need not be remembered for a retraction.
                if (incident.closed()) {
                    viewer.shown().remove(incident.id());
                } else {
                    viewer.shown().add(incident.id());
                }
                if (incident.alertFailures() > 0 && !incident.closed()) {
                    viewer.failing().add(incident.id());
                } else {
                    viewer.failing().remove(incident.id());
                }
                send(ctx, Json.writeValue(new IncidentChanged(next, view.get(), viewer.failing().size())));
            } else {
                viewer.failing().remove(incident.id());
                send(ctx, viewer.shown().remove(incident.id()) ? retractText : hiddenText);
            }
        });
    }

    @Override
    public synchronized void aupsChanged(ObjectNode aups) {
        broadcast(new AupsChanged("aups", ++seq, aups.get("latest")));
    }

    /** Isolations go only to viewers who may see that room's isolations; the others get the sequence number. */
    /** Told of every isolation change after its commit (alerts to staff: docs/NOTIFICATIONS.md). */
    public void onIsolationChanged(java.util.function.Consumer<IsolationView> listener) {
        isolationListeners.add(listener);
    }

    /** Told when a case action is marked done (the Notifier stops that action's overdue alert). */
    public void onActionDone(java.util.function.BiConsumer<Incident, String> listener) {
        actionDoneListeners.add(listener);
    }

    /** Told of every data-breach record, deadline flag and decision after its commit (the Notifier's data-breach alert). */
    public void onBreachChanged(java.util.function.Consumer<haven.coordinator.Breaches.Breach> listener) {
        breachListeners.add(listener);
    }

    public void breachChanged(haven.coordinator.Breaches.Breach breach) {
        breachListeners.forEach(l -> l.accept(breach));
    }

    @Override
    public void actionDone(Incident incident, String actionKind) {
        actionDoneListeners.forEach(l -> l.accept(incident, actionKind));
    }

    @Override
    public synchronized void isolationChanged(IsolationView isolation) {
        isolationListeners.forEach(l -> l.accept(isolation));
        long next = ++seq;
        String text = Json.writeValue(new IsolationChanged("isolation", next, isolation.toJson()));
        String hiddenText = Json.writeValue(new Hidden(next));
        clients.forEach((ctx, viewer) -> send(ctx, Visibility.isolation(isolation, viewer.session()) ? text : hiddenText));
    }

    private final List<java.util.function.Consumer<haven.coordinator.UnblockRequests.Request>> unblockListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told of every unblock request change after its commit (the optional filter webhook listens here). */
    public void onUnblockRequestChanged(java.util.function.Consumer<haven.coordinator.UnblockRequests.Request> listener) {
        unblockListeners.add(listener);
    }

    /**
     * An unblock request made or decided: the DSL (and whoever else may see it, {@link Visibility#unblockRequest})
     * is told on their open dashboard; the others get the sequence number.
     */
    public synchronized void unblockRequestChanged(haven.coordinator.UnblockRequests.Request request, java.time.Instant now) {
        unblockListeners.forEach(l -> l.accept(request));
        long next = ++seq;
        String text = Json.writeValue(new UnblockRequestChanged("unblockRequest", next, request.toJson(now)));
        String hiddenText = Json.writeValue(new Hidden(next));
        clients.forEach((ctx, viewer) -> send(ctx, Visibility.unblockRequest(request.requestedBy(), viewer.session()) ? text : hiddenText));
    }

    /** Logout: that session's open dashboards close now, not at their next message. */
    public void sessionEnded(String token) {
        if (token != null) {
            closeWhere(session -> session.token().equals(token));
        }
    }

    /**
     * Closes every open dashboard whose session no longer stands (expired, logged out, account disabled or
     * changed). Run periodically and whenever the staff table changes in this process.
     */
    public void closeWhere(java.util.function.Predicate<StaffSession> ended) {
        clients.forEach((ctx, viewer) -> {
            if (ended.test(viewer.session())) {
                clients.remove(ctx);
                try {
                    ctx.closeSession(4001, "session ended");
                } catch (RuntimeException e) {
                    log.debug("dashboard socket close failed reason={}", e.getMessage());
                }
            }
        });
    }

    /** A delta every viewer may see. Call holding the lock. */
    private void broadcast(Record message) {
        String text = Json.writeValue(message);
        clients.keySet().forEach(ctx -> send(ctx, text));
    }

    /** The rooms, open incidents and isolations a viewer may see, with the AUP versions, current at {@code seq}. */
    static Snapshot snapshot(List<RoomView> rooms, List<Incident> incidents, List<IsolationView> isolations, StaffSession viewer,
                             JsonNode aups, long seq) {
        List<JsonNode> iso = isolations.stream().filter(x -> Visibility.isolation(x, viewer)).<JsonNode>map(IsolationView::toJson).toList();
        List<JsonNode> r = rooms.stream().<JsonNode>map(RoomView::toJson).toList();
        List<IncidentView> i = incidents.stream().flatMap(inc -> inc.view(viewer).stream()).toList();
        long failing = i.stream().filter(view -> alertFailures(view) > 0).count();
        return new Snapshot(iso, r, i, failing, aups, seq, null);
    }

    private void send(WsContext ctx, String text) {
        try {
            ctx.send(text);
        } catch (RuntimeException e) {
            log.debug("dashboard socket send failed reason={}", e.getMessage());
            clients.remove(ctx);
        }
    }
}
