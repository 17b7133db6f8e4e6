package haven.coordinator.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.Incident;
import haven.protocol.Json;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * What one alert may say, and nothing else: the kind, the room's name, how long ago, and a link to the
 * dashboard, where a login decides what the reader sees (docs/NOTIFICATIONS.md, content rules). It is built
 * from those fields of an incident only, so a computer number, a category, a URL or notes cannot reach an
 * e-mail, a chat or a phone's lock screen. No action is possible from the alert itself.
 */
public record Alert(AlertKind kind, long incident, String roomName, Instant openedAt, Instant now, URI dashboard) {

    /** No incident to name (a hub offline): {@link #incident} is 0, which no incident has. */
    public static final long NO_INCIDENT = 0;

    public static Alert of(AlertKind kind, Incident incident, NotifyConfig config, Instant now) {
        return about(kind, incident.id(), incident.room(), incident.openedAt(), config, now);
    }

    /** What happened in a room since when: the room's name, never a computer's number or any detail. */
    public static Alert about(AlertKind kind, long incident, haven.protocol.RoomId room, Instant since, NotifyConfig config, Instant now) {
        // A hub clock ahead of ours must not make the alert say "in 3 minutes".
        return new Alert(kind, incident, config.roomName(room), since.isAfter(now) ? now : since, now, config.dashboardUrl());
    }

    public String ago() {
        long minutes = Duration.between(openedAt, now).toMinutes();
        if (minutes < 1) {
            return "just now";
        }
        if (minutes < 120) {
            return minutes == 1 ? "1 minute ago" : minutes + " minutes ago";
        }
        return (minutes / 60) + " hours ago";
    }

    public String subject() {
        if (kind == AlertKind.DATA_BREACH) {
            return "Haven: " + kind.title() + " (72-hour clock)";
        }
        return "Haven: " + kind.title() + " in " + roomName;
    }

    /** One line for chat and push: what, where, when. */
    public String summary() {
        if (kind == AlertKind.DATA_BREACH) {
            // The only detail a breach alert carries is its clock: openedAt is when the school became aware.
            long left = Duration.between(now, openedAt.plus(haven.coordinator.Breaches.DEADLINE)).toHours();
            return kind.title() + ", discovered " + ago() + ": " + (left >= 0 ? left + " hours left" : "overdue by " + -left + " hours")
                    + " of the 72 to decide whether to report it to the ICO.";
        }
        return kind.title() + " in " + roomName + ", " + ago() + (incident == NO_INCIDENT ? "." : " (incident " + incident + ").");
    }

    public String body() {
        return summary() + "\n\n"
                + (incident == NO_INCIDENT ? "Open the Haven dashboard to see it:\n" : "Open the Haven dashboard to see it and acknowledge it:\n")
                + dashboard + "\n\n"
                + "You will be asked to log in. Nothing can be done from this message, and it says no more on purpose.\n";
    }

    /** The generic webhook's JSON: the same fields, for a receiver to format itself. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("kind", kind.wire());
        json.put("title", kind.title());
        json.put("incident", incident);
        json.put("room", roomName);
        json.put("openedAt", Json.time(openedAt));
        json.put("minutesAgo", Duration.between(openedAt, now).toMinutes());
        json.put("summary", summary());
        json.put("dashboard", dashboard.toString());
        return json;
    }
}
