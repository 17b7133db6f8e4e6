package haven.coordinator;

import haven.protocol.Event;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What a hub may not do, decided once before an event is written: a classroom Pi holds a broker password
 * (hub.yaml), so a stolen or tampered hub can publish anything its ACL allows, on its own room's topics. The
 * codec has already checked the payload's shape; this checks what a valid payload may claim. A refusal is
 * rejected and kept (the {@code rejected} table) with its reason, like any contract violation
 * (docs/SECURITY.md, "A hostile hub").
 */
public final class IngestGuard {
    private final Incidents incidents;

    public IngestGuard(Incidents incidents) {
        this.incidents = incidents;
    }

    /** Why this event is refused, or empty when it may be logged. Runs inside the ingest transaction. */
    public Optional<String> refusal(Connection c, Event event) throws SQLException {
        return incidents.otherRoom(c, event);
    }
}
