package haven.coordinator.web;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Changes;
import haven.coordinator.CommandSender;
import haven.coordinator.IsolationView;
import haven.coordinator.Isolations;
import haven.coordinator.Permission;
import haven.coordinator.SignOffs;
import haven.coordinator.StaffSession;
import haven.coordinator.Visibility;
import haven.coordinator.evidence.AuditLog;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.CommandName;
import haven.protocol.Json;
import haven.protocol.RoomId;
import haven.store.Database;
import io.javalin.config.JavalinConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Releasing every computer isolated in one room together (docs/CASEWORK.md): one pair of senior sign-offs
 * for the room, not one pair per machine. Policy: "more than one senior member of staff involved"; each
 * sign-off records the reason and who reconnected the cable, and is a sign-off of every machine still
 * isolated in the room, through the same {@link SignOffs} rule as a single machine's.
 */
public final class RoomReleaseRoutes {
    private RoomReleaseRoutes() {
    }

    /** The room's answer: each machine's sign-off, and the most senior sign-offs any of them still needs. */
    record ReleaseBody(String room, List<MachineBody> machines, int stillNeeded) {
    }

    /** One machine as it now stands, whether its release went to the hub, and the sign-offs it still needs. */
    record MachineBody(@JsonUnwrapped IsolationView isolation, boolean releaseSent, int stillNeeded) {
    }

    public static void mount(JavalinConfig config, Database db, Isolations isolations, AuditLog audit, CommandSender commands,
                             Changes feed, Clock clock) {
        StaffDecisions decisions = new StaffDecisions(clock);
        config.routes.post("/api/rooms/{site}/{room}/release", ctx -> {
            StaffSession who = DashboardServer.staffOf(ctx);
            RoomId room = new RoomId(ctx.pathParam("site"), ctx.pathParam("room"));
            JsonNode body = CaseRoutes.body(ctx);
            String reason = CaseRoutes.required(body, "reason", CaseRoutes.MAX_TEXT);
            String reconnectedBy = CaseRoutes.required(body, "reconnectedBy", 200);
            record Machine(IsolationView view, SignOffs.Decision decision, boolean send) {
            }
            List<Machine> machines = db.transaction(c -> {
                List<IsolationView> active = isolations.open(c).stream()
                        .filter(i -> i.room().equals(room) && Visibility.isolation(i, who)).toList();
                List<Machine> out = new ArrayList<>();
                if (active.isEmpty()) {
                    return out;
                }
                Instant at = clock.instant();
                ArrayNode names = Json.array();
                for (IsolationView i : active) {
                    isolations.signOff(c, i.id(), who, at);
                    decisions.record(c, StaffDecisions.SIGNED_OFF, room, at, Json.object().put("isolation", i.id())
                            .put("machine", i.machine()).put("by", who.name()).put("role", who.role().wire())
                            .put("reason", reason).put("reconnectedBy", reconnectedBy).put("wholeRoom", true));
                    SignOffs.Decision decision = SignOffs.decide(isolations.signOffs(c, i.id()));
                    boolean send = decision.releaseAllowed() && isolations.markReleaseRequested(c, i.id(), at);
                    if (send) {
                        ObjectNode data = Json.object().put("isolation", i.id()).put("machine", i.machine());
                        decision.counted().forEach(data.putArray("signedBy")::add);
                        decisions.record(c, StaffDecisions.RELEASE_SENT, room, at, data);
                    }
                    names.add(i.machine());
                    out.add(new Machine(isolations.find(c, i.id()).orElseThrow(), decision, send));
                }
                audit.record(c, who.name(), "room-release-signoff", "room=" + room + " machines=" + active.size()
                        + " reconnectedBy=" + reconnectedBy);
                return out;
            });
            if (machines.isEmpty()) {
                ctx.status(404).result("no computer is isolated in " + room);
                return;
            }
            List<MachineBody> list = new ArrayList<>();
            int stillNeeded = 0;
            for (Machine m : machines) {
                boolean sent = false;
                if (m.send()) {
                    ObjectNode args = Json.object().put("machine", m.view().machine()).put("isolation", m.view().id())
                            .put("signedBy", String.join(",", m.decision().counted()));
                    sent = commands.send(room, CommandName.RELEASE, who, args);
                }
                feed.isolationChanged(m.view());
                stillNeeded = Math.max(stillNeeded, m.decision().stillNeeded());
                list.add(new MachineBody(m.view(), sent, m.decision().stillNeeded()));
            }
            Web.json(ctx, new ReleaseBody(room.toString(), list, stillNeeded));
        }, RouteAccess.of(Permission.SIGN_OFF_RELEASE));
    }
}
