package haven.coordinator;

import java.util.Locale;

/**
 * What a member of staff may do on the dashboard, named for what it allows. Which role has which is the
 * table in {@link Permissions}, transcribed from docs/SECURITY.md; every dashboard route names one of these.
 * What a permission lets a person see of one incident or isolation is {@link Visibility}'s job.
 */
public enum Permission {
    VIEW_ROOMS,
    VIEW_INCIDENTS,
    VIEW_ISOLATIONS,
    VIEW_LIVE,
    VIEW_AUPS,
    LOOK_UP_FOLLOW_UP,
    ACKNOWLEDGE,
    CLOSE,
    EXPORT,
    VIEW_REPORT,
    VIEW_AUDIT,
    PUBLISH_AUP,
    SIGN_OFF_RELEASE,
    ISOLATE_REMOTELY,
    SUBSCRIBE_ALERTS,
    START_FILTER_CHECK,
    VIEW_FILTER_CHECKS,
    RECORD_FILTER_ACTION,
    TEST_BUTTON,
    REQUEST_UNBLOCK,
    DECIDE_UNBLOCK,
    VIEW_UNBLOCK_REQUESTS,
    /** Log a concern on the dashboard (any member of staff, not governors): docs/CASEWORK.md. */
    LOG_CONCERN,
    /** Notes, assignment, actions and reopening of a case the viewer may see. */
    WORK_CASE,
    /** The guided record of suspected illegal content: "more than one senior member of staff involved". */
    REVIEW_ILLEGAL,
    RECORD_CAME_FORWARD,
    /** Add staff accounts, change their role or rooms, disable them (the DSL only; docs/SECURITY.md). */
    MANAGE_STAFF,
    /** Record a suspected data breach, its updates and the decision to report it to the ICO (docs/DATA-PROTECTION.md). */
    RECORD_BREACH,
    /** The data-breach records and their 72-hour clocks; also who may be told of the data-breach alert. */
    VIEW_BREACHES,
    /** Who has and has not accepted the current Staff AUP, by name (the governors' report has counts only). */
    VIEW_STAFF_AUP_ACCEPTANCE;

    /** As /api/session and docs/SECURITY.md spell it: {@code view-incidents}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
