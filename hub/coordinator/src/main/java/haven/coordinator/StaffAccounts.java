package haven.coordinator;

import org.jdbi.v3.core.Handle;
import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import haven.store.Database;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Staff logins, with bcrypt-hashed passwords (cost 10: about a tenth of a second on a Pi 4). Owner of the
 * {@code staff} and {@code staff_rooms} tables. Roles are stored as {@link Role#wire()} words.
 */
public final class StaffAccounts {
    private static final String EXISTS = "SELECT 1 FROM staff WHERE name = :name";
    private static final String PUT = """
            INSERT INTO staff(name, role, password_hash, created_at) VALUES (:name, :role, :hash, :at)
            ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled = 0""";
    private static final String INSERT = "INSERT INTO staff(name, role, password_hash, created_at) VALUES (:name, :role, :hash, :at)";
    private static final String SET_ROLE = "UPDATE staff SET role = :role WHERE name = :name";
    private static final String SET_DISABLED = "UPDATE staff SET disabled = 1 WHERE name = :name";
    private static final String SET_PASSWORD = "UPDATE staff SET password_hash = :hash WHERE name = :name";
    private static final String ALL_ROOMS = "SELECT name, site, room FROM staff_rooms";
    private static final String LIST = """
            SELECT s.name, s.role, s.disabled,
                   (SELECT count(*) FROM staff_totp t WHERE t.name = s.name) AS totp,
                   (SELECT max(a.at) FROM audit a WHERE a.actor = s.name AND a.action = 'login') AS last_login
            FROM staff s ORDER BY s.name""";
    private static final String ROW = "SELECT role, disabled FROM staff WHERE name = :name";
    private static final String ACTIVE_COORDINATORS = "SELECT count(*) FROM staff WHERE role = :role AND disabled = 0";
    private static final String DELETE_ROOMS = "DELETE FROM staff_rooms WHERE name = :name";
    private static final String INSERT_ROOM = "INSERT INTO staff_rooms(name, site, room) VALUES (:name, :site, :room)";
    private static final String ROOMS = "SELECT site, room FROM staff_rooms WHERE name = :name";
    private static final String ACTIVE_ROLE = "SELECT role FROM staff WHERE name = :name AND disabled = 0";
    private static final String STANDING = "SELECT role, password_hash FROM staff WHERE name = :name AND disabled = 0";
    private static final String VERIFY = "SELECT role, password_hash, disabled FROM staff WHERE name = :name";

    private static final int COST = 10;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,31}");
    /** Compared against when the name is unknown, so a wrong name costs as long as a wrong password. */
    private static final String DUMMY_HASH = BCrypt.withDefaults().hashToString(COST, "not-a-password".toCharArray());

    private final Database db;
    private final Clock clock;
    private final haven.coordinator.evidence.StaffDecisions decisions;
    private final java.util.List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public StaffAccounts(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.decisions = new haven.coordinator.evidence.StaffDecisions(clock);
    }

    /** Told after every change made through this object (the dashboard ends sessions of a changed account at once). */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    private void changed() {
        changeListeners.forEach(Runnable::run);
    }

    /**
     * Adds or replaces an account, re-enabling it: for first-run setup, the demo and tests that build a
     * school. Staff are added with {@link #add}, which never changes an existing account.
     */
    public void put(String name, Role role, char[] password) throws SQLException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("staff name must be 2..32 of a-z 0-9 . _ -, got '" + name + "'");
        }
        PasswordPolicy.check(name, password);
        String hash = BCrypt.withDefaults().hashToString(COST, password);
        db.transaction(c -> {
            boolean existed = exists(c, name);
            // The password hash stays out of the chain; that it changed is what the record says.
            decisions.record(c, existed ? haven.coordinator.evidence.StaffDecisions.ACCOUNT_CHANGED
                    : haven.coordinator.evidence.StaffDecisions.ACCOUNT_CREATED, haven.coordinator.evidence.StaffDecisions.SCHOOL,
                    Json.object().put("name", name).put("role", role.wire()).put("password", "set").put("enabled", true));
            c.createUpdate(PUT).bind("name", name).bind("role", role.wire()).bind("hash", hash)
                    .bind("at", clock.instant()).execute();
            return null;
        });
        changed();
    }

    /** Who made a change from the coordinator's shell (`haven user`), as the chain records it. */
    public static final String COMMAND_LINE = "haven user (command line)";

    /**
     * A change the account rules refuse, with a message for the person who asked: the name is taken (adding
     * never changes an account: that silently changed roles), disabling oneself, or leaving the school with
     * no enabled coordinator (nobody could then manage staff or see the audit).
     */
    public static final class Refused extends IllegalArgumentException {
        public Refused(String message) {
            super(message);
        }
    }

    /** One row of the staff page: no password hash, no second-factor secret. */
    public record Account(String name, Role role, java.util.Set<haven.protocol.RoomId> rooms, boolean disabled,
                          boolean secondFactor, Optional<java.time.Instant> lastSignIn) {
        public Account {
            rooms = java.util.Set.copyOf(rooms);
        }

        /** The row as the staff page reads it: rooms as sorted "site/room", no sign-in yet as null. */
        public Row body() {
            return new Row(name, role.wire(), disabled, secondFactor,
                    rooms.stream().map(haven.protocol.RoomId::toString).sorted().toList(), lastSignIn.orElse(null));
        }

        /** The answer body of one account (GET /api/staff lists them). */
        public record Row(String name, String role, boolean disabled, boolean secondFactor, java.util.List<String> rooms,
                          java.time.Instant lastSignIn) {
        }
    }

    /**
     * Adds a new account with its rooms, in one transaction and one chained record; refuses a name that
     * exists (enabled or disabled) with {@link Refused}, changing nothing.
     */
    public void add(String by, String name, Role role, java.util.Set<haven.protocol.RoomId> rooms, char[] password) throws SQLException {
        checkName(name);
        PasswordPolicy.check(name, password);
        String hash = BCrypt.withDefaults().hashToString(COST, password);
        db.transaction(c -> {
            haven.store.Dialect.of(c).lockEventLog(c);
            if (exists(c, name)) {
                throw new Refused("there is already a staff account called '" + name + "'; adding never changes an existing account");
            }
            ObjectNode data = Json.object().put("name", name).put("role", role.wire()).put("password", "set").put("enabled", true)
                    .put("by", by);
            var list = data.putArray("rooms");
            rooms.stream().map(haven.protocol.RoomId::toString).sorted().forEach(list::add);
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.ACCOUNT_CREATED, haven.coordinator.evidence.StaffDecisions.SCHOOL, data);
            c.createUpdate(INSERT).bind("name", name).bind("role", role.wire()).bind("hash", hash)
                    .bind("at", clock.instant()).execute();
            replaceRooms(c, name, rooms);
            return null;
        });
        changed();
    }

    /** Changes an account's role; the account's sessions end at once (its standing stamp changes). */
    public void changeRole(String by, String name, Role role) throws SQLException {
        db.transaction(c -> {
            haven.store.Dialect.of(c).lockEventLog(c);
            Row row = row(c, name);
            if (row.role().equals(Role.COORDINATOR.wire()) && !row.disabled() && role != Role.COORDINATOR
                    && activeCoordinators(c) <= 1) {
                throw new Refused("'" + name + "' is the last enabled coordinator: add another coordinator before changing this role");
            }
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.ACCOUNT_CHANGED, haven.coordinator.evidence.StaffDecisions.SCHOOL,
                    Json.object().put("name", name).put("role", role.wire()).put("from", row.role()).put("by", by));
            c.createUpdate(SET_ROLE).bind("role", role.wire()).bind("name", name).execute();
            return null;
        });
        changed();
    }

    /** Replaces the rooms an account looks after; refuses an unknown name. */
    public void changeRooms(String by, String name, java.util.Set<haven.protocol.RoomId> rooms) throws SQLException {
        db.transaction(c -> {
            haven.store.Dialect.of(c).lockEventLog(c);
            row(c, name);
            ObjectNode data = Json.object().put("name", name).put("by", by);
            var list = data.putArray("rooms");
            rooms.stream().map(haven.protocol.RoomId::toString).sorted().forEach(list::add);
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.ACCOUNT_CHANGED, haven.coordinator.evidence.StaffDecisions.SCHOOL, data);
            replaceRooms(c, name, rooms);
            return null;
        });
        changed();
    }

    /**
     * Disables an account as {@code by}: never oneself, never the last enabled coordinator ({@link Refused});
     * an unknown name is the caller's mistake. Disabling a disabled account changes nothing and records nothing.
     */
    public void disable(String by, String name) throws SQLException {
        if (by.equals(name)) {
            throw new Refused("you cannot disable your own account: ask another coordinator");
        }
        boolean done = db.transaction(c -> {
            haven.store.Dialect.of(c).lockEventLog(c);
            Row row = row(c, name);
            if (row.disabled()) {
                return false;
            }
            if (row.role().equals(Role.COORDINATOR.wire()) && activeCoordinators(c) <= 1) {
                throw new Refused("'" + name + "' is the last enabled coordinator: add another coordinator before disabling this one");
            }
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.ACCOUNT_DISABLED, haven.coordinator.evidence.StaffDecisions.SCHOOL,
                    Json.object().put("name", name).put("by", by));
            c.createUpdate(SET_DISABLED).bind("name", name).execute();
            return true;
        });
        if (done) {
            changed();
        }
    }

    /** Every account, enabled or not, by name; the last sign-in is the newest "login" row of the audit trail. */
    public java.util.List<Account> list() throws SQLException {
        return db.query(c -> {
            java.util.Map<String, java.util.Set<haven.protocol.RoomId>> rooms = new java.util.HashMap<>();
            c.createQuery(ALL_ROOMS).map((rs, ctx) -> java.util.Map.entry(rs.getString("name"),
                    new haven.protocol.RoomId(rs.getString("site"), rs.getString("room"))))
                    .forEach(e -> rooms.computeIfAbsent(e.getKey(), k -> new java.util.HashSet<>()).add(e.getValue()));
            // An account whose stored role this build does not know is left off the page, not an error.
            return c.createQuery(LIST).map((rs, ctx) -> {
                Optional<Role> role = Role.fromWire(rs.getString("role"));
                if (role.isEmpty()) {
                    return Optional.<Account>empty();
                }
                String name = rs.getString("name");
                String last = rs.getString("last_login");
                return Optional.of(new Account(name, role.get(), rooms.getOrDefault(name, java.util.Set.of()),
                        rs.getInt("disabled") == 1, rs.getInt("totp") > 0,
                        last == null ? Optional.empty() : Optional.of(Json.parseTime("lastSignIn", last))));
            }).list().stream().flatMap(Optional::stream).toList();
        });
    }

    private record Row(String role, boolean disabled) {
    }

    private static Row row(Handle c, String name) throws SQLException {
        return c.createQuery(ROW).bind("name", name)
                .map((rs, ctx) -> new Row(rs.getString("role"), rs.getInt("disabled") == 1)).findOne()
                .orElseThrow(() -> new IllegalArgumentException("name: there is no staff account with that name"));
    }

    private static boolean exists(Handle c, String name) throws SQLException {
        return c.createQuery(EXISTS).bind("name", name).mapTo(Integer.class).findOne().isPresent();
    }

    private static int activeCoordinators(Handle c) throws SQLException {
        return c.createQuery(ACTIVE_COORDINATORS).bind("role", Role.COORDINATOR.wire()).mapTo(Integer.class).one();
    }

    private static void replaceRooms(Handle c, String name, java.util.Set<haven.protocol.RoomId> rooms) throws SQLException {
        c.createUpdate(DELETE_ROOMS).bind("name", name).execute();
        if (rooms.isEmpty()) {
            return;
        }
        var batch = c.prepareBatch(INSERT_ROOM);
        for (haven.protocol.RoomId r : rooms) {
            batch.bind("name", name).bind("site", r.site()).bind("room", r.room()).add();
        }
        batch.execute();
    }

    private static java.util.List<haven.protocol.RoomId> roomsOf(Handle c, String name) {
        return c.createQuery(ROOMS).bind("name", name)
                .map((rs, ctx) -> new haven.protocol.RoomId(rs.getString("site"), rs.getString("room"))).list();
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: a staff name must be 2..32 of a-z 0-9 . _ -");
        }
    }

    /** Rooms a teacher looks after, as "site/room" pairs. Replaces the previous list. */
    public void assignRooms(String name, java.util.Set<haven.protocol.RoomId> rooms) throws SQLException {
        db.transaction(c -> {
            ObjectNode data = Json.object().put("name", name);
            var list = data.putArray("rooms");
            rooms.stream().map(haven.protocol.RoomId::toString).sorted().forEach(list::add);
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.ACCOUNT_CHANGED, haven.coordinator.evidence.StaffDecisions.SCHOOL, data);
            replaceRooms(c, name, rooms);
            return null;
        });
        changed();
    }

    public java.util.Set<haven.protocol.RoomId> rooms(String name) throws SQLException {
        return db.query(c -> new java.util.HashSet<>(roomsOf(c, name)));
    }

    /** Changes a password; false if there is no such account. */
    public boolean password(String name, char[] password) throws SQLException {
        PasswordPolicy.check(name, password);
        String hash = BCrypt.withDefaults().hashToString(COST, password);
        ObjectNode record = Json.object().put("name", name).put("password", "changed");
        boolean done = db.transaction(c -> {
            if (c.createUpdate(SET_PASSWORD).bind("hash", hash).bind("name", name).execute() != 1) {
                return false;
            }
            decisions.record(c, haven.coordinator.evidence.StaffDecisions.ACCOUNT_CHANGED, haven.coordinator.evidence.StaffDecisions.SCHOOL, record);
            return true;
        });
        changed();
        return done;
    }

    /**
     * Disables an account from the shell (kept for the audit trail, never deleted); false if there is no such
     * account. The last enabled coordinator is refused here too ({@link Refused}).
     */
    public boolean disable(String name) throws SQLException {
        try {
            disable(COMMAND_LINE, name);
            return true;
        } catch (Refused e) {
            throw e;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True once any enabled coordinator account exists (before that, the first-run setup link works). */
    public boolean hasCoordinator() throws SQLException {
        return db.query(c -> activeCoordinators(c) > 0);
    }

    /** The role of an enabled account, without a password: who an alert may be sent to, and what it may say. */
    public Optional<Role> activeRole(String name) throws SQLException {
        return db.query(c -> c.createQuery(ACTIVE_ROLE).bind("name", name).mapTo(String.class).findOne().flatMap(Role::fromWire));
    }

    /**
     * What a session was granted against: role, rooms and a stamp that changes whenever the role, rooms or
     * password change. A session whose stamp no longer matches (or whose account is disabled) has ended.
     */
    public record Standing(Role role, java.util.Set<haven.protocol.RoomId> rooms, String stamp) {
        public Standing {
            rooms = java.util.Set.copyOf(rooms);
        }
    }

    /** The standing of an enabled account; empty when it is unknown or disabled. Read on every dashboard request. */
    public Optional<Standing> standing(String name) throws SQLException {
        return db.query(c -> {
            record Found(String role, String hash) {
            }
            Optional<Found> found = c.createQuery(STANDING).bind("name", name)
                    .map((rs, ctx) -> new Found(rs.getString("role"), rs.getString("password_hash"))).findOne();
            if (found.isEmpty()) {
                return Optional.<Standing>empty();
            }
            String role = found.get().role();
            String hash = found.get().hash();
            java.util.TreeSet<String> rooms = new java.util.TreeSet<>();
            java.util.Set<haven.protocol.RoomId> ids = new java.util.HashSet<>();
            for (haven.protocol.RoomId r : roomsOf(c, name)) {
                ids.add(r);
                rooms.add(r.site() + "/" + r.room());
            }
            Optional<Role> parsed = Role.fromWire(role);
            if (parsed.isEmpty()) {
                return Optional.<Standing>empty();
            }
            return Optional.of(new Standing(parsed.get(), ids, stamp(role + "\n" + hash + "\n" + String.join(",", rooms))));
        });
    }

    private static String stamp(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public Optional<Role> verify(String name, char[] password) throws SQLException {
        record Row(String role, String hash, boolean disabled) {
        }
        Optional<Row> row = db.query(c -> c.createQuery(VERIFY).bind("name", name)
                .map((rs, ctx) -> new Row(rs.getString("role"), rs.getString("password_hash"), rs.getInt("disabled") == 1)).findOne());
        String hash = row.map(Row::hash).orElse(DUMMY_HASH);
        boolean ok = BCrypt.verifyer().verify(password, hash.toCharArray()).verified;
        if (!ok || row.isEmpty() || row.get().disabled()) {
            return Optional.empty();
        }
        return Role.fromWire(row.get().role());
    }
}
