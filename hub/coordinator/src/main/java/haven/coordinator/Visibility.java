package haven.coordinator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Category;
import haven.protocol.RoomId;
import java.util.Optional;

/**
 * What one member of staff may see of one incident, isolation or report row, whichever way it reaches
 * them (REST, the live snapshot and feed, an export, a report). Pure: no storage, no clock. The rules
 * (docs/SECURITY.md): a concern about an adult goes to the headteacher and nobody else; a teacher sees
 * the rooms assigned to them; a technician sees that a room has a worry, not what it is about. A failed
 * filter check (source filter-check) is the technician's to follow up, so they see it in full; it is seen by
 * those who may read the filter check log and by nobody else (not teachers).
 */
public final class Visibility {
    private Visibility() {
    }

    /** Whether a role may know that a concern of this category exists at all. */
    public static boolean mayKnowOf(Role role, String category) {
        return role == Role.HEAD || !Category.ABOUT_AN_ADULT.wire().equals(category);
    }

    /**
     * Whether a role may know that this incident exists at all (alerts ask this before they name a room): its
     * category ({@link #mayKnowOf(Role, String)}) and, for a failed filter check, whether the role reads the check log.
     */
    public static boolean mayKnowOf(Role role, Incident incident) {
        return mayKnowOf(role, incident.category()) && sourceVisible(incident, role);
    }

    /** The view of an incident for this viewer, or empty when they may not know of it. */
    public static Optional<ObjectNode> incident(Incident incident, StaffSession viewer) {
        if (!Permissions.allows(viewer.role(), Permission.VIEW_INCIDENTS) || !mayKnowOf(viewer.role(), incident.category())
                || !roomVisible(incident.room(), viewer) || !sourceVisible(incident, viewer.role())) {
            return Optional.empty();
        }
        return Optional.of(redacted(incident, viewer.role()) ? incident.redacted() : incident.toJson());
    }

    /** Full detail (chronology, export): visible and not redacted. */
    public static boolean fullDetail(Incident incident, StaffSession viewer) {
        return incident(incident, viewer).isPresent() && !redacted(incident, viewer.role());
    }

    public static boolean isolation(IsolationView isolation, StaffSession viewer) {
        return Permissions.allows(viewer.role(), Permission.VIEW_ISOLATIONS) && roomVisible(isolation.room(), viewer);
    }

    /**
     * A temporary unblock request: everyone who may view them, except that a teacher sees only the requests they
     * made (the technician decides, the DSL is told, senior staff and the head oversee).
     */
    public static boolean unblockRequest(String requestedBy, StaffSession viewer) {
        return Permissions.allows(viewer.role(), Permission.VIEW_UNBLOCK_REQUESTS)
                && (viewer.role() != Role.TEACHER || viewer.name().equals(requestedBy));
    }

    /** Whether report counts of head-only concerns are shown: only to the head, so no cell reveals one case. */
    public static boolean reportIncludesHeadOnly(Role role) {
        return role == Role.HEAD;
    }

    private static boolean roomVisible(RoomId room, StaffSession viewer) {
        return viewer.role() != Role.TEACHER || viewer.rooms().contains(room);
    }

    private static boolean redacted(Incident incident, Role role) {
        return role == Role.TECHNICIAN && incident.source() != IncidentSource.FILTER_CHECK;
    }

    /** A failed filter check goes to whoever reads the check log (technician, senior staff, DSL, head). */
    private static boolean sourceVisible(Incident incident, Role role) {
        return incident.source() != IncidentSource.FILTER_CHECK
                || Permissions.allows(role, Permission.VIEW_FILTER_CHECKS) && Permissions.allows(role, Permission.VIEW_INCIDENTS);
    }
}
