package haven.coordinator;

import java.util.Map;

/**
 * An incident as one member of staff may see it ({@link Visibility#incident}): in full, or for a technician only
 * that a room has a worry. The response body of every route and live message that shows an incident; the
 * components are the wire's fields in the wire's order, a null written as null.
 */
public sealed interface IncidentView permits IncidentView.Full, IncidentView.Redacted {

    /**
     * alertFailures: send attempts that failed since the last accepted one; alertFailuresByChannel: how many per
     * channel ("email", "webhook:NAME"), in the order the notifier recorded them.
     */
    record Full(long id, String reportId, String site, String room, String status, long presses, String category,
                String computer, String openedAt, String ackedAt, String ackedBy, String closedAt, String outcome, String notes,
                String url, String nature, String escalatedAt, String openAtEndOfDay, String source, String cameForwardAt,
                String cameForwardBy, int alertFailures, Map<String, Integer> alertFailuresByChannel, String caseNumber,
                String about, String illegal, String loggedBy, String summary, String assignedTo) implements IncidentView {
    }

    /** For technicians: that a room has an open worry, without what it is about; whether its alerts got through too. */
    record Redacted(long id, String site, String room, String status, String openedAt, String caseNumber,
                    boolean redacted, int alertFailures, Map<String, Integer> alertFailuresByChannel)
            implements IncidentView {
    }
}
