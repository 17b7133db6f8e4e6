package haven.coordinator;

import org.jdbi.v3.core.Handle;
import haven.protocol.Event;
import haven.protocol.HubStatus;
import haven.protocol.RoomId;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a hub may not do, decided once before an event is written: a classroom Pi holds a broker password
 * (hub.yaml), so a stolen or tampered hub can publish anything its ACL allows, on its own room's topics. The
 * codec has already checked the payload's shape; this checks what a valid payload may claim. A refusal is
 * rejected and kept (the {@code rejected} table) with its reason, like any contract violation
 * (docs/SECURITY.md, "A hostile hub").
 */
public final class IngestGuard {
    /**
     * A hub's seq rises by one per event. A jump this far past the highest seq the room has logged or announced
     * is a forgery (a seq of 9.2e18 once left a gap of that size to repair for ever), not a backlog: a hub that
     * writes an event a minute would need two years to make one.
     */
    public static final long MAX_SEQ_JUMP = 1_000_000;
    /**
     * An event dated this far after its arrival is refused: a Pi without a real-time clock comes back behind, never
     * a day ahead, and an event dated 2099 would otherwise sit at the top of every list. Smaller skews are
     * kept and flagged (ClockSkew); escalation and ordering use the receive time in any case.
     */
    public static final Duration MAX_AHEAD = Duration.ofDays(1);
    /**
     * Worries of one room nobody has acknowledged yet beyond which the room shows a flood, and the lists show only
     * its newest this many ({@link Incidents#MAX_LISTED_PER_ROOM}). Nothing is refused for volume: every report is
     * evidence and is logged (policy: nothing is lost; NothingLostNothingDoubledTest presses 200 in one room),
     * but one hub can no longer bury every other room's worries.
     */
    public static final int MAX_UNACKNOWLEDGED_PER_ROOM = Incidents.MAX_LISTED_PER_ROOM;
    /** New reports one room may open per minute before it shows a flood (a classroom makes a few a day). */
    public static final int MAX_NEW_REPORTS_PER_MINUTE = 30;

    private final Incidents incidents;
    private final Rooms rooms;
    /** Per room: the current minute and how many new reports it opened in it. Ingest's one committer thread. */
    private final Map<RoomId, long[]> reportsThisMinute = new ConcurrentHashMap<>();

    public IngestGuard(Incidents incidents, Rooms rooms) {
        this.incidents = incidents;
        this.rooms = rooms;
    }

    /** Why this event is refused, or empty when it may be logged. Runs inside the ingest transaction. */
    public Optional<String> refusal(Handle c, Event event, Instant receivedAt) throws SQLException {
        if (event.at().isAfter(receivedAt.plus(MAX_AHEAD))) {
            return Optional.of("field 'at' is more than " + MAX_AHEAD.toHours() + " hours ahead of the coordinator's clock");
        }
        Rooms.Standing room = rooms.standing(c, event.room());
        if (event.seq() > room.highestKnown() + MAX_SEQ_JUMP) {
            return Optional.of("field 'seq' is more than " + MAX_SEQ_JUMP + " past the room's highest");
        }
        Optional<String> report = Incidents.reportOf(event);
        if (report.isEmpty()) {
            return Optional.empty();
        }
        Incidents.Standing standing = incidents.standing(c, report.get(), event.room());
        Optional<RoomId> owner = standing.owner();
        if (owner.isPresent()) {
            // Follow-ups (and a report landing after its follow-ups) belong to the room that made the report: a
            // worry.detailed from room A once recategorised room B's incident "about a grown-up", hiding it from the DSL.
            return owner.get().equals(event.room()) ? Optional.empty() : Optional.of(event.type() == haven.protocol.EventType.WORRY_REPORTED
                    ? "field 'id' is the report id of an incident of another room" : "field 'data.report' names a report of another room");
        }
        // This event opens a new incident (a report, or a follow-up that came before its report).
        boolean fast = !countNewReport(event.room(), receivedAt);
        long waiting = standing.unacknowledged();
        if (waiting >= MAX_UNACKNOWLEDGED_PER_ROOM || fast) {
            rooms.flooded(c, event.room(), waiting >= MAX_UNACKNOWLEDGED_PER_ROOM
                    ? "more than " + MAX_UNACKNOWLEDGED_PER_ROOM + " unacknowledged worries: the lists show the newest "
                            + Incidents.MAX_LISTED_PER_ROOM + "; every report is logged"
                    : "more than " + MAX_NEW_REPORTS_PER_MINUTE + " new reports in a minute; every report is logged", receivedAt);
        } else {
            rooms.floodOver(c, event.room(), room, receivedAt);
        }
        return Optional.empty();
    }

    private boolean countNewReport(RoomId room, Instant now) {
        long minute = now.getEpochSecond() / 60;
        long[] window = reportsThisMinute.compute(room, (r, w) -> w == null || w[0] != minute ? new long[] {minute, 0} : w);
        window[1]++;
        return window[1] <= MAX_NEW_REPORTS_PER_MINUTE;
    }

    /** Why this presence is refused: the same bound on the seq a status announces. */
    public Optional<String> refusal(Handle c, RoomId room, HubStatus status) throws SQLException {
        if (status.lastSeq() > rooms.highestKnown(c, room) + MAX_SEQ_JUMP) {
            return Optional.of("field 'hub.lastSeq' is more than " + MAX_SEQ_JUMP + " past the room's highest");
        }
        return Optional.empty();
    }
}
