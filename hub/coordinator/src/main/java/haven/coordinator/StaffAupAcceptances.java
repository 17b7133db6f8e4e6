package haven.coordinator;

import org.jdbi.v3.core.Handle;
import com.fasterxml.jackson.annotation.JsonInclude;
import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.AupMessage;
import haven.protocol.Json;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Staff "have read, understood and signed the Staff Acceptable Use Policy": the Staff AUP is the {@code staff}
 * key stage's English AUP (published like every AUP, by whoever holds {@code publish-aup}), and each member
 * of staff accepts its newest version at their next login. An acceptance is a chained
 * {@code coordinator.staff-aup-accepted} record written in the same transaction as its row. Owner of
 * {@code staff_aup_acceptances}; reads {@code aups} (owned by the AUP publisher) and {@code staff}.
 */
public final class StaffAupAcceptances {
    private static final String CURRENT = """
            SELECT version, title, markdown, published_at FROM aups WHERE key_stage = :keyStage AND language = :language
            ORDER BY version DESC LIMIT 1""";
    private static final String ACCEPTED_SINCE = "SELECT 1 FROM staff_aup_acceptances WHERE name = :name AND version >= :version";
    private static final String ACCEPTED_EXACTLY = "SELECT 1 FROM staff_aup_acceptances WHERE name = :name AND version = :version";
    private static final String INSERT = "INSERT INTO staff_aup_acceptances(name, version, accepted_at) VALUES (:name, :version, :at)";
    private static final String STANDINGS = """
            SELECT s.name, s.role,
                   (SELECT a.accepted_at FROM staff_aup_acceptances a WHERE a.name = s.name AND a.version = :version) AS accepted_at,
                   (SELECT max(b.version) FROM staff_aup_acceptances b WHERE b.name = s.name) AS last_accepted
            FROM staff s WHERE s.disabled = 0 ORDER BY s.name""";
    /** The key stage the Staff AUP is published under (docs/KIOSK.md: a staff-room hub shows it too). */
    public static final String KEY_STAGE = "staff";

    private final Database db;
    private final Clock clock;
    private final StaffDecisions decisions;

    /** The Staff AUP in force: what a member of staff reads and accepts. */
    public record Current(int version, String title, String markdown, Instant publishedAt) {
    }

    /** One member of staff the Staff AUP applies to, and when they accepted the current version (null: not yet). */
    public record Standing(String name, Role role, Instant acceptedAt, OptionalInt lastAccepted) {
    }

    public StaffAupAcceptances(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.decisions = new StaffDecisions(clock);
    }

    /** The newest English version of the Staff AUP; empty when none has been published (then nothing is asked). */
    public Optional<Current> current() throws SQLException {
        return db.query(StaffAupAcceptances::current);
    }

    public static Optional<Current> current(Handle c) throws SQLException {
        return c.createQuery(CURRENT).bind("keyStage", KEY_STAGE).bind("language", AupMessage.ENGLISH)
                .map((rs, ctx) -> new Current(rs.getInt("version"), rs.getString("title"), rs.getString("markdown"),
                        ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "published_at", ctx)))
                .findOne();
    }

    /** The newest Staff AUP version number, or empty: what a login is asked to accept. */
    public OptionalInt currentVersion() throws SQLException {
        return current().map(cur -> OptionalInt.of(cur.version())).orElse(OptionalInt.empty());
    }

    /** True when {@code name} has accepted {@code version} or a later one. Read on every dashboard request of a gated session. */
    public boolean accepted(String name, int version) throws SQLException {
        return db.query(c -> c.createQuery(ACCEPTED_SINCE).bind("name", name).bind("version", version)
                .mapTo(Integer.class).findOne().isPresent());
    }

    /** What an acceptance came to. */
    public enum Outcome { RECORDED, ALREADY_ACCEPTED, NOT_CURRENT, NONE_PUBLISHED }

    /**
     * Records that {@code name} accepted {@code version}, which must be the current one (a page open while a
     * newer version was published must show that one first). Accepting again is harmless and records nothing.
     */
    public Outcome accept(String name, Role role, int version) throws SQLException {
        if (!Permissions.asksStaffAup(role)) {
            throw new IllegalArgumentException("the Staff AUP is not asked of the " + role.wire() + " role");
        }
        return db.transaction(c -> {
            Optional<Current> current = current(c);
            if (current.isEmpty()) {
                return Outcome.NONE_PUBLISHED;
            }
            if (current.get().version() != version) {
                return Outcome.NOT_CURRENT;
            }
            if (c.createQuery(ACCEPTED_EXACTLY).bind("name", name).bind("version", version).mapTo(Integer.class).findOne().isPresent()) {
                return Outcome.ALREADY_ACCEPTED;
            }
            Instant now = clock.instant();
            c.createUpdate(INSERT).bind("name", name).bind("version", version).bind("at", now).execute();
            decisions.record(c, StaffDecisions.STAFF_AUP_ACCEPTED, StaffDecisions.SCHOOL, now, Json.object()
                    .put("name", name).put("role", role.wire()).put("version", Integer.toString(version))
                    .put("keyStage", KEY_STAGE).put("language", AupMessage.ENGLISH));
            return Outcome.RECORDED;
        });
    }

    /** Every enabled account the Staff AUP applies to, by name, with its acceptance of {@code version}. */
    public List<Standing> standings(Handle c, int version) throws SQLException {
        List<Standing> out = new ArrayList<>();
        c.createQuery(STANDINGS).bind("version", version).map((rs, ctx) -> {
            // An account whose stored role this build does not know, or who is not asked the AUP, is left out.
            Optional<Role> role = Role.fromWire(rs.getString("role"));
            if (role.isEmpty() || !Permissions.asksStaffAup(role.get())) {
                return Optional.<Standing>empty();
            }
            Instant at = ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "accepted_at", ctx);
            int last = rs.getInt("last_accepted");
            OptionalInt lastAccepted = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(last);
            return Optional.of(new Standing(rs.getString("name"), role.get(), at, lastAccepted));
        }).forEach(found -> found.ifPresent(out::add));
        return out;
    }

    /**
     * The governors' report's counts: {"published": false} or {"published": true, "version": "2",
     * "accepted": n, "notYet": m}. Counts only: the report never names a member of staff.
     */
    public Counts counts(Handle c) throws SQLException {
        Optional<Current> current = current(c);
        if (current.isEmpty()) {
            return new Counts(false, null, null, null);
        }
        List<Standing> all = standings(c, current.get().version());
        long accepted = all.stream().filter(s -> s.acceptedAt() != null).count();
        return new Counts(true, Integer.toString(current.get().version()), accepted, all.size() - accepted);
    }

    /** The report's {@code staffAup} part; nothing but {@code published} while no Staff AUP is published. */
    public record Counts(boolean published, @JsonInclude(JsonInclude.Include.NON_NULL) String version,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Long accepted,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Long notYet) {
    }
}
