package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.coordinator.SignOff;
import haven.protocol.Event;
import haven.store.Dialect;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The isolations table: kept in step with the hubs' isolation.* events, plus the release sign-offs. Owns the
 * {@code isolations} and {@code signoffs} tables.
 */
public final class Isolations {
    private static final String RELEASED = """
            UPDATE isolations SET status = :released, released_at = :at
            WHERE site = :site AND room = :room AND machine = :machine AND status <> :released""";
    /** %s: the dialect's greatest(isolations.verified, excluded.verified). */
    private static final String UPSERT = """
            INSERT INTO isolations(site, room, machine, mac, ip, backend, status, verified, detail, requested_at, applied_at)
            VALUES (:site, :room, :machine, :mac, :ip, :backend, :status, :verified, :detail, :requestedAt, :appliedAt)
            ON CONFLICT(site, room, machine) WHERE status <> 'released' DO UPDATE SET
                status = CASE WHEN excluded.status = :requested THEN isolations.status ELSE excluded.status END,
                backend = coalesce(excluded.backend, isolations.backend),
                verified = %s,
                detail = coalesce(excluded.detail, isolations.detail),
                applied_at = coalesce(isolations.applied_at, excluded.applied_at)""";
    private static final String NOTE = """
            UPDATE isolations SET detail = :detail, release_requested_at = NULL
            WHERE site = :site AND room = :room AND machine = :machine AND status <> :released""";
    private static final String LATEST = "SELECT " + IsolationView.COLUMNS
            + " FROM isolations i WHERE site = :site AND room = :room AND machine = :machine ORDER BY id DESC LIMIT 1";
    private static final String BY_ID = "SELECT " + IsolationView.COLUMNS + " FROM isolations i WHERE id = :id";
    private static final String OPEN = "SELECT " + IsolationView.COLUMNS
            + " FROM isolations i WHERE status <> :released ORDER BY requested_at, id";
    private static final String SIGN_OFF = """
            INSERT INTO signoffs(isolation_id, staff, role, at) VALUES (:id, :staff, :role, :at) ON CONFLICT DO NOTHING""";
    private static final String OPEN_FOR = "SELECT " + IsolationView.COLUMNS + " FROM isolations i"
            + " WHERE site = :site AND room = :room AND machine = :machine AND status <> :released ORDER BY id DESC LIMIT 1";
    private static final String SIGN_OFFS = "SELECT staff, role, at FROM signoffs WHERE isolation_id = :id ORDER BY at";
    private static final String MARK_RELEASE_REQUESTED = """
            UPDATE isolations SET release_requested_at = :at
            WHERE id = :id AND release_requested_at IS NULL AND status <> :released""";
    private static final String LINK_TO_CASE = """
            UPDATE isolations SET incident_report = :report, reason = coalesce(reason, :reason)
            WHERE id = :id AND incident_report IS NULL""";

    /** Applies an isolation event inside the ingest transaction; returns the row it touched. */
    public Optional<IsolationView> apply(Handle c, Event event) throws SQLException {
        ObjectNode d = event.data();
        String machine = d.path("machine").asText("");
        if (machine.isEmpty()) {
            return Optional.empty();
        }
        switch (event.type()) {
            case ISOLATION_REQUESTED -> upsert(c, event, IsolationState.REQUESTED, null, false, null);
            case ISOLATION_APPLIED -> upsert(c, event,
                    d.path("backend").asText("").equals("manual") ? IsolationState.MANUAL : IsolationState.ACTIVE,
                    event.at(), d.path("verified").asBoolean(false), d.path("evidence").asText(""));
            case ISOLATION_FAILED -> {
                if (d.path("reason").asText("").startsWith("release failed")) {
                    note(c, event, d.path("reason").asText());
                } else {
                    upsert(c, event, IsolationState.FAILED, null, false, d.path("reason").asText(""));
                }
            }
            case ISOLATION_RELEASED -> {
                c.createUpdate(RELEASED)
                        .bind("released", IsolationState.RELEASED)
                        .bind("at", event.at())
                        .bind("site", event.room().site())
                        .bind("room", event.room().room())
                        .bind("machine", machine)
                        .execute();
                return latest(c, event, machine);
            }
            default -> {
                return Optional.empty();
            }
        }
        return latest(c, event, machine);
    }

    private static void upsert(Handle c, Event e, IsolationState status, Instant appliedAt, boolean verified, String detail)
            throws SQLException {
        ObjectNode d = e.data();
        // The partial-index predicate in ON CONFLICT stays a literal: PostgreSQL matches it against the index's own.
        c.createUpdate(UPSERT.formatted(Dialect.of(c).greatest("isolations.verified", "excluded.verified")))
                .bind("site", e.room().site())
                .bind("room", e.room().room())
                .bind("machine", d.path("machine").asText())
                .bind("mac", d.path("mac").asText(""))
                .bind("ip", d.path("ip").asText(""))
                .bind("backend", d.hasNonNull("backend") ? d.get("backend").asText() : null)
                .bind("status", status)
                .bind("requested", IsolationState.REQUESTED)
                .bind("verified", verified ? 1 : 0)
                .bind("detail", detail)
                .bind("requestedAt", e.at())
                .bindByType("appliedAt", appliedAt, Instant.class)
                .execute();
    }

    private static void note(Handle c, Event e, String detail) {
        c.createUpdate(NOTE)
                .bind("detail", detail)
                .bind("site", e.room().site())
                .bind("room", e.room().room())
                .bind("machine", e.data().path("machine").asText())
                .bind("released", IsolationState.RELEASED)
                .execute();
    }

    private static Optional<IsolationView> latest(Handle c, Event e, String machine) {
        return c.createQuery(LATEST)
                .bind("site", e.room().site())
                .bind("room", e.room().room())
                .bind("machine", machine)
                .map((rs, ctx) -> IsolationView.from(rs))
                .findOne();
    }

    public Optional<IsolationView> find(Handle c, long id) throws SQLException {
        return c.createQuery(BY_ID).bind("id", id).map((rs, ctx) -> IsolationView.from(rs)).findOne();
    }

    /** Every isolation not yet released, oldest first. */
    public List<IsolationView> open(Handle c) throws SQLException {
        return c.createQuery(OPEN).bind("released", IsolationState.RELEASED).map((rs, ctx) -> IsolationView.from(rs)).list();
    }

    /** Records one member of staff's sign-off (a second one by the same person changes nothing). */
    public void signOff(Handle c, long id, StaffSession who, Instant at) throws SQLException {
        signOff(c, id, who.name(), who.role().wire(), at);
    }

    /** As above, from a chained coordinator.signed-off record (the rebuild, {@link Projector}). */
    void signOff(Handle c, long id, String staff, String role, Instant at) throws SQLException {
        c.createUpdate(SIGN_OFF)
                .bind("id", id)
                .bind("staff", staff)
                .bind("role", role)
                .bind("at", at)
                .execute();
    }

    /** The isolation of this machine not yet released, which a sign-off or release record is about. */
    Optional<IsolationView> openFor(Handle c, haven.protocol.RoomId room, String machine) throws SQLException {
        return c.createQuery(OPEN_FOR)
                .bind("site", room.site())
                .bind("room", room.room())
                .bind("machine", machine)
                .bind("released", IsolationState.RELEASED)
                .map((rs, ctx) -> IsolationView.from(rs))
                .findOne();
    }

    public List<SignOff> signOffs(Handle c, long id) throws SQLException {
        return c.createQuery(SIGN_OFFS)
                .bind("id", id)
                .map((rs, ctx) -> new SignOff(rs.getString("staff"), rs.getString("role"),
                        ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "at", ctx)))
                .list();
    }

    /** Marks that cmd/release went out, once; false if it already had. */
    public boolean markReleaseRequested(Handle c, long id, Instant at) throws SQLException {
        return c.createUpdate(MARK_RELEASE_REQUESTED)
                .bind("at", at)
                .bind("id", id)
                .bind("released", IsolationState.RELEASED)
                .execute() == 1;
    }

    /** The case this isolation belongs to ({@link CaseIsolations}), set once; the first reason given stays. */
    void linkToCase(Handle c, long id, String incidentReport, String reason) {
        c.createUpdate(LINK_TO_CASE)
                .bind("report", incidentReport)
                .bind("reason", reason)
                .bind("id", id)
                .execute();
    }
}
