package haven.coordinator;

import static haven.coordinator.Permission.ACKNOWLEDGE;
import static haven.coordinator.Permission.CLOSE;
import static haven.coordinator.Permission.DECIDE_UNBLOCK;
import static haven.coordinator.Permission.REQUEST_UNBLOCK;
import static haven.coordinator.Permission.VIEW_UNBLOCK_REQUESTS;
import static haven.coordinator.Permission.EXPORT;
import static haven.coordinator.Permission.ISOLATE_REMOTELY;
import static haven.coordinator.Permission.LOG_CONCERN;
import static haven.coordinator.Permission.LOOK_UP_FOLLOW_UP;
import static haven.coordinator.Permission.MANAGE_STAFF;
import static haven.coordinator.Permission.PUBLISH_AUP;
import static haven.coordinator.Permission.RECORD_CAME_FORWARD;
import static haven.coordinator.Permission.RECORD_FILTER_ACTION;
import static haven.coordinator.Permission.REVIEW_ILLEGAL;
import static haven.coordinator.Permission.SIGN_OFF_RELEASE;
import static haven.coordinator.Permission.START_FILTER_CHECK;
import static haven.coordinator.Permission.SUBSCRIBE_ALERTS;
import static haven.coordinator.Permission.TEST_BUTTON;
import static haven.coordinator.Permission.VIEW_AUDIT;
import static haven.coordinator.Permission.VIEW_AUPS;
import static haven.coordinator.Permission.VIEW_FILTER_CHECKS;
import static haven.coordinator.Permission.VIEW_INCIDENTS;
import static haven.coordinator.Permission.VIEW_ISOLATIONS;
import static haven.coordinator.Permission.VIEW_LIVE;
import static haven.coordinator.Permission.VIEW_REPORT;
import static haven.coordinator.Permission.VIEW_ROOMS;
import static haven.coordinator.Permission.VIEW_STAFF_AUP_ACCEPTANCE;
import static haven.coordinator.Permission.WORK_CASE;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one role -> permissions table, transcribed from docs/SECURITY.md ("Staff accounts and roles"); the
 * doc's table is checked against this one by a test, so the two cannot drift apart again. Pure data.
 */
public final class Permissions {
    private static final Set<Permission> WATCH = EnumSet.of(VIEW_ROOMS, VIEW_INCIDENTS, VIEW_ISOLATIONS, VIEW_LIVE, VIEW_AUPS,
            SUBSCRIBE_ALERTS);
    private static final Map<Role, Set<Permission>> TABLE = table();
    /**
     * Who must accept the Staff AUP before using the dashboard: staff "have read, understood and signed the
     * Staff Acceptable Use Policy". Governors and the chair are not staff of the school and are not asked.
     */
    private static final Set<Role> STAFF_AUP_APPLIES_TO = Set.copyOf(EnumSet.of(Role.COORDINATOR, Role.HEAD, Role.SENIOR,
            Role.TEACHER, Role.TECHNICIAN));

    private Permissions() {
    }

    private static Map<Role, Set<Permission>> table() {
        Map<Role, Set<Permission>> t = new EnumMap<>(Role.class);
        Set<Permission> senior = union(WATCH, LOOK_UP_FOLLOW_UP, ACKNOWLEDGE, CLOSE, EXPORT, SIGN_OFF_RELEASE, ISOLATE_REMOTELY,
                VIEW_FILTER_CHECKS, REQUEST_UNBLOCK, VIEW_UNBLOCK_REQUESTS, RECORD_CAME_FORWARD);
        t.put(Role.COORDINATOR, union(senior, VIEW_REPORT, VIEW_AUDIT, PUBLISH_AUP, START_FILTER_CHECK, RECORD_FILTER_ACTION,
                TEST_BUTTON, MANAGE_STAFF, VIEW_STAFF_AUP_ACCEPTANCE));
        t.put(Role.HEAD, union(senior, VIEW_REPORT, VIEW_AUDIT, VIEW_STAFF_AUP_ACCEPTANCE));
        t.put(Role.SENIOR, senior);
        // A teacher tests the button of their own rooms only: RoomChecksRoutes narrows TEST_BUTTON to them.
        // A teacher sees the unblock requests they made only (Visibility.unblockRequest).
        t.put(Role.TEACHER, union(WATCH, LOOK_UP_FOLLOW_UP, ACKNOWLEDGE, TEST_BUTTON, REQUEST_UNBLOCK, VIEW_UNBLOCK_REQUESTS,
                RECORD_CAME_FORWARD));
        t.put(Role.TECHNICIAN, union(WATCH, VIEW_FILTER_CHECKS, START_FILTER_CHECK, RECORD_FILTER_ACTION, TEST_BUTTON,
                VIEW_UNBLOCK_REQUESTS, DECIDE_UNBLOCK));
        t.put(Role.GOVERNOR, EnumSet.of(VIEW_REPORT, VIEW_FILTER_CHECKS));
        // Case work (docs/CASEWORK.md): "any member of staff" reports; senior staff work and review the case.
        for (Role staff : Set.of(Role.COORDINATOR, Role.HEAD, Role.SENIOR, Role.TEACHER, Role.TECHNICIAN)) {
            t.get(staff).add(LOG_CONCERN);
        }
        for (Role caseworker : Set.of(Role.COORDINATOR, Role.HEAD, Role.SENIOR)) {
            t.get(caseworker).addAll(Set.of(WORK_CASE, REVIEW_ILLEGAL));
        }
        // The chair of governors: the report and the filter log as a governor, plus the case work of the
        // concerns routed to them (about staff, about the head); Visibility shows them those and no others.
        // Data breaches (docs/DATA-PROTECTION.md): the DSL and the head record and decide; no dpo role (docs/DECISIONS.md).
        for (Role controller : Set.of(Role.COORDINATOR, Role.HEAD)) {
            t.get(controller).addAll(Set.of(Permission.RECORD_BREACH, Permission.VIEW_BREACHES));
        }
        t.put(Role.CHAIR, EnumSet.of(VIEW_REPORT, VIEW_FILTER_CHECKS, VIEW_INCIDENTS, ACKNOWLEDGE, CLOSE, EXPORT, WORK_CASE));
        t.replaceAll((role, set) -> Set.copyOf(set));
        return Map.copyOf(t);
    }

    private static Set<Permission> union(Set<Permission> base, Permission... more) {
        Set<Permission> out = EnumSet.copyOf(base);
        out.addAll(Set.of(more));
        return out;
    }

    public static Set<Permission> of(Role role) {
        return TABLE.get(role);
    }

    /** True when this role accepts each new Staff AUP version at its next login (AccessFilter enforces it). */
    public static boolean asksStaffAup(Role role) {
        return STAFF_AUP_APPLIES_TO.contains(role);
    }

    public static boolean allows(Role role, Permission permission) {
        return of(role).contains(permission);
    }
}
