package haven.coordinator.evidence;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.EventCodec;
import haven.protocol.RoomId;
import haven.protocol.UuidV7;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * Staff decisions as entries of the evidence chain: each is a {@link CoordinatorRecord} appended through
 * {@link EventLog}'s one append path, inside the same transaction as the table change it explains, so a
 * decision and its record commit together or not at all. The types are listed in docs/EVIDENCE.md; an
 * incident's stored decision columns are checked against these records by {@link EvidenceCheck}.
 * Decisions that concern no room (accounts, AUPs) are filed under {@link #SCHOOL}.
 */
public final class StaffDecisions {
    /** Where decisions about no single room are filed (accounts, AUPs, purges). Not a real room. */
    public static final RoomId SCHOOL = new RoomId("coordinator", "school");

    public static final String ACKNOWLEDGED = "coordinator.acknowledged";
    public static final String CLOSED = "coordinator.closed";
    public static final String ESCALATED = "coordinator.escalated";
    public static final String OPEN_AT_END_OF_DAY = "coordinator.open-at-end-of-day";
    public static final String SIGNED_OFF = "coordinator.signed-off";
    public static final String RELEASE_SENT = "coordinator.release-sent";
    public static final String ISOLATION_REQUESTED = "coordinator.isolation-requested";
    public static final String AUP_PUBLISHED = "coordinator.aup-published";
    /** A member of staff accepted a version of the Staff AUP at login: {@code name}, {@code version} (docs/DASHBOARD.md). */
    public static final String STAFF_AUP_ACCEPTED = "coordinator.staff-aup-accepted";
    public static final String ACCOUNT_CREATED = "coordinator.account-created";
    public static final String ACCOUNT_CHANGED = "coordinator.account-changed";
    public static final String ACCOUNT_DISABLED = "coordinator.account-disabled";
    public static final String EXPORTED = "coordinator.exported";
    /** A retention purge's checkpoint: up to which position, the hash there, how many (docs/EVIDENCE.md). */
    public static final String PURGED = "coordinator.purged";
    public static final String FILTER_ACTION = "coordinator.filter-action";
    public static final String UNBLOCK_REQUESTED = "coordinator.unblock-requested";
    public static final String UNBLOCK_DECIDED = "coordinator.unblock-decided";
    // Case work (docs/CASEWORK.md).
    public static final String CONCERN_LOGGED = "coordinator.concern-logged";
    public static final String NOTE_ADDED = "coordinator.note-added";
    public static final String ASSIGNED = "coordinator.assigned";
    public static final String ACTION_ADDED = "coordinator.action-added";
    public static final String ACTION_DONE = "coordinator.action-done";
    public static final String ACTION_OVERDUE = "coordinator.action-overdue";
    public static final String REOPENED = "coordinator.reopened";
    public static final String ILLEGAL_CHANGED = "coordinator.illegal-changed";
    public static final String REVIEW_RECORDED = "coordinator.review-recorded";
    public static final String ATTACHMENT_ADDED = "coordinator.attachment-added";
    /** A pupil came forward to a member of staff with their follow-up words (docs/KIOSK.md). */
    public static final String CAME_FORWARD = "coordinator.came-forward";
    // Data-breach records (docs/DATA-PROTECTION.md), filed under SCHOOL: "report data breaches within 72 hours".
    public static final String BREACH_RECORDED = "coordinator.breach-recorded";
    public static final String BREACH_NOTE_ADDED = "coordinator.breach-note-added";
    public static final String BREACH_DEADLINE_NEAR = "coordinator.breach-deadline-near";
    public static final String BREACH_DECIDED = "coordinator.breach-decided";

    private final EventLog log = new EventLog(new EventCodec());
    private final UuidV7 ids;
    private final Clock clock;

    public StaffDecisions(Clock clock) {
        this.clock = clock;
        this.ids = new UuidV7(clock);
    }

    /** Appends one decision inside the caller's transaction, at the time the decision's table change carries. */
    public void record(Handle c, String type, RoomId room, Instant at, ObjectNode data) throws SQLException {
        log.append(c, new CoordinatorRecord(ids.next().toString(), type, room, at, data), clock.instant());
    }

    /** As {@link #record(Connection, String, RoomId, Instant, ObjectNode)}, now. */
    public void record(Handle c, String type, RoomId room, ObjectNode data) throws SQLException {
        record(c, type, room, clock.instant(), data);
    }
}
