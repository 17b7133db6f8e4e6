package haven.coordinator;

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
 * A concern logged by staff (source concern, docs/CASEWORK.md) is routed by whom it is about: "any concern
 * about staff misuse ... to the headteacher, unless the concern is about the headteacher, in which case
 * ... the Chair of Governors and the LADO". About a pupil: the DSL, the head and senior staff, and the
 * member of staff who logged it. The chair of governors sees the concerns routed to them and nothing else.
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
     * category ({@link #mayKnowOf(Role, String)}), for a failed filter check whether the role reads the check log,
     * and for a staff concern whether it is routed to the role (the member of staff who logged it aside).
     */
    public static boolean mayKnowOf(Role role, Incident incident) {
        if (incident.source() == IncidentSource.CONCERN) {
            return concernRoutedTo(incident, role);
        }
        return role != Role.CHAIR && mayKnowOf(role, incident.category()) && sourceVisible(incident, role);
    }

    /** The view of an incident for this viewer, or empty when they may not know of it. */
    public static Optional<IncidentView> incident(Incident incident, StaffSession viewer) {
        if (!Permissions.allows(viewer.role(), Permission.VIEW_INCIDENTS)) {
            return Optional.empty();
        }
        if (incident.source() == IncidentSource.CONCERN) {
            return concernRoutedTo(incident, viewer.role()) || loggedIt(incident, viewer) ? Optional.of(incident.view())
                    : Optional.empty();
        }
        if (viewer.role() == Role.CHAIR || !mayKnowOf(viewer.role(), incident.category())
                || !roomVisible(incident.room(), viewer) || !sourceVisible(incident, viewer.role())) {
            return Optional.empty();
        }
        return Optional.of(redacted(incident, viewer.role()) ? incident.redacted() : incident.view());
    }

    private static boolean concernRoutedTo(Incident concern, Role role) {
        return switch (aboutOf(concern)) {
            case HEAD -> role == Role.CHAIR;
            case STAFF -> role == Role.HEAD || role == Role.CHAIR;
            case PUPIL -> role == Role.COORDINATOR || role == Role.HEAD || role == Role.SENIOR;
        };
    }

    /** A teacher or technician sees a concern about a pupil that they logged themselves. */
    private static boolean loggedIt(Incident concern, StaffSession viewer) {
        return aboutOf(concern) == ConcernAbout.PUPIL && (viewer.role() == Role.TEACHER || viewer.role() == Role.TECHNICIAN)
                && viewer.name().equals(concern.loggedBy());
    }

    /** A worry or any older incident has no {@code about}: it counts as about a pupil. */
    private static ConcernAbout aboutOf(Incident incident) {
        return incident.about() == null ? ConcernAbout.PUPIL : incident.about();
    }

    /**
     * Which concerns a role's report counts, by {@code about}: a report cell "staff concern, November: 1"
     * would name the case to anyone it is not routed to, so each role counts only what it may see.
     */
    public static java.util.Set<ConcernAbout> reportCountsAbout(Role role) {
        return switch (role) {
            case HEAD -> java.util.Set.of(ConcernAbout.PUPIL, ConcernAbout.STAFF);
            case CHAIR -> java.util.Set.of(ConcernAbout.PUPIL, ConcernAbout.STAFF, ConcernAbout.HEAD);
            default -> java.util.Set.of(ConcernAbout.PUPIL);
        };
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
