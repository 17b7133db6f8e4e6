package haven.coordinator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import io.javalin.websocket.WsContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes changes to every open dashboard. Each message carries a sequence number; a client that sees a
 * gap (it missed a message during a network blip) fetches /api/snapshot and carries on from there.
 * Incidents are filtered per viewer: concerns about an adult reach the headteacher only.
 */
public final class LiveFeed {
    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);

    private final Map<WsContext, StaffSession> clients = new ConcurrentHashMap<>();
    private long seq;

    public synchronized long seq() {
        return seq;
    }

    public void join(WsContext ctx, StaffSession viewer, ObjectNode snapshot) {
        synchronized (this) {
            clients.put(ctx, viewer);
            snapshot.put("kind", "snapshot");
            snapshot.put("seq", seq);
            send(ctx, Json.write(snapshot));
        }
    }

    public void leave(WsContext ctx) {
        clients.remove(ctx);
    }

    public int clientCount() {
        return clients.size();
    }

    public synchronized void roomChanged(RoomView room) {
        ObjectNode msg = Json.object();
        msg.put("kind", "room");
        msg.put("seq", ++seq);
        msg.set("room", room.toJson());
        String text = Json.write(msg);
        clients.keySet().forEach(ctx -> send(ctx, text));
    }

    public synchronized void incidentChanged(Incident incident) {
        ObjectNode msg = Json.object();
        msg.put("kind", "incident");
        msg.put("seq", ++seq);
        msg.set("incident", incident.toJson());
        // Viewers who may not see it still get the sequence number, so they do not resync for nothing.
        ObjectNode hidden = Json.object();
        hidden.put("kind", "hidden");
        hidden.put("seq", seq);
        String hiddenText = Json.write(hidden);
        clients.forEach((ctx, viewer) -> send(ctx, incident.viewFor(viewer).map(view -> {
            ObjectNode m = Json.object();
            m.put("kind", "incident");
            m.put("seq", msg.get("seq").asLong());
            m.set("incident", view);
            return Json.write(m);
        }).orElse(hiddenText)));
    }

    public synchronized void aupsChanged(ObjectNode aups) {
        ObjectNode msg = Json.object();
        msg.put("kind", "aups");
        msg.put("seq", ++seq);
        msg.set("aups", aups.get("latest"));
        String text = Json.write(msg);
        clients.keySet().forEach(ctx -> send(ctx, text));
    }

    public synchronized void isolationChanged(IsolationView isolation) {
        ObjectNode msg = Json.object();
        msg.put("kind", "isolation");
        msg.put("seq", ++seq);
        msg.set("isolation", isolation.toJson());
        String text = Json.write(msg);
        clients.keySet().forEach(ctx -> send(ctx, text));
    }

    /** The rooms, open incidents and isolations a viewer may see, as one JSON document. */
    public static ObjectNode snapshot(List<RoomView> rooms, List<Incident> incidents, List<IsolationView> isolations,
                                      StaffSession viewer) {
        ObjectNode json = Json.object();
        ArrayNode iso = json.putArray("isolations");
        isolations.forEach(x -> iso.add(x.toJson()));
        ArrayNode r = json.putArray("rooms");
        rooms.forEach(room -> r.add(room.toJson()));
        ArrayNode i = json.putArray("incidents");
        incidents.forEach(inc -> inc.viewFor(viewer).ifPresent(i::add));
        return json;
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
