package haven.coordinator;

import org.jdbi.v3.core.Handle;
import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.node.ObjectNode;
import haven.protocol.Json;
import haven.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;

/** Staff logins, with bcrypt-hashed passwords (cost 10: about a tenth of a second on a Pi 4). */
public final class StaffAccounts {
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
            boolean existed;
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT 1 FROM staff WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    existed = rs.next();
                }
            }
            // The password hash stays out of the chain; that it changed is what the record says.
            decisions.record(c, existed ? haven.coordinator.evidence.StaffDecisions.ACCOUNT_CHANGED
                    : haven.coordinator.evidence.StaffDecisions.ACCOUNT_CREATED, haven.coordinator.evidence.StaffDecisions.SCHOOL,
                    Json.object().put("name", name).put("role", role.wire()).put("password", "set").put("enabled", true));
            try (PreparedStatement ps = c.getConnection().prepareStatement("""
                    INSERT INTO staff(name, role, password_hash, created_at) VALUES (?,?,?,?)
                    ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled = 0""")) {
                ps.setString(1, name);
                ps.setString(2, role.wire());
                ps.setString(3, hash);
                ps.setString(4, Json.time(clock.instant()));
                ps.executeUpdate();
            }
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

        public ObjectNode toJson() {
            ObjectNode o = Json.object().put("name", name).put("role", role.wire()).put("disabled", disabled)
                    .put("secondFactor", secondFactor);
            var list = o.putArray("rooms");
            rooms.stream().map(haven.protocol.RoomId::toString).sorted().forEach(list::add);
            lastSignIn.ifPresentOrElse(at -> o.put("lastSignIn", Json.time(at)), () -> o.putNull("lastSignIn"));
            return o;
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
            try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO staff(name, role, password_hash, created_at) VALUES (?,?,?,?)")) {
                ps.setString(1, name);
                ps.setString(2, role.wire());
                ps.setString(3, hash);
                ps.setString(4, Json.time(clock.instant()));
                ps.executeUpdate();
            }
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
            try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE staff SET role = ? WHERE name = ?")) {
                ps.setString(1, role.wire());
                ps.setString(2, name);
                ps.executeUpdate();
            }
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
            try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE staff SET disabled = 1 WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
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
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT name, site, room FROM staff_rooms");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rooms.computeIfAbsent(rs.getString(1), k -> new java.util.HashSet<>())
                            .add(new haven.protocol.RoomId(rs.getString(2), rs.getString(3)));
                }
            }
            java.util.List<Account> out = new java.util.ArrayList<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("""
                    SELECT s.name, s.role, s.disabled,
                           (SELECT count(*) FROM staff_totp t WHERE t.name = s.name),
                           (SELECT max(a.at) FROM audit a WHERE a.actor = s.name AND a.action = 'login')
                    FROM staff s ORDER BY s.name""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Optional<Role> role = Role.fromWire(rs.getString(2));
                    if (role.isEmpty()) {
                        continue;
                    }
                    String last = rs.getString(5);
                    out.add(new Account(rs.getString(1), role.get(), rooms.getOrDefault(rs.getString(1), java.util.Set.of()),
                            rs.getInt(3) == 1, rs.getInt(4) > 0,
                            last == null ? Optional.empty() : Optional.of(Json.parseTime("lastSignIn", last))));
                }
            }
            return out;
        });
    }

    private record Row(String role, boolean disabled) {
    }

    private static Row row(Handle c, String name) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT role, disabled FROM staff WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("name: there is no staff account with that name");
                }
                return new Row(rs.getString(1), rs.getInt(2) == 1);
            }
        }
    }

    private static boolean exists(Handle c, String name) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT 1 FROM staff WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static int activeCoordinators(Handle c) throws SQLException {
        try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT count(*) FROM staff WHERE role = 'coordinator' AND disabled = 0");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void replaceRooms(Handle c, String name, java.util.Set<haven.protocol.RoomId> rooms) throws SQLException {
        try (PreparedStatement del = c.getConnection().prepareStatement("DELETE FROM staff_rooms WHERE name = ?")) {
            del.setString(1, name);
            del.executeUpdate();
        }
        try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO staff_rooms(name, site, room) VALUES (?,?,?)")) {
            for (haven.protocol.RoomId r : rooms) {
                ps.setString(1, name);
                ps.setString(2, r.site());
                ps.setString(3, r.room());
                ps.addBatch();
            }
            ps.executeBatch();
        }
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
        return db.query(c -> {
            java.util.Set<haven.protocol.RoomId> out = new java.util.HashSet<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room FROM staff_rooms WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new haven.protocol.RoomId(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /** Changes a password; false if there is no such account. */
    public boolean password(String name, char[] password) throws SQLException {
        PasswordPolicy.check(name, password);
        String hash = BCrypt.withDefaults().hashToString(COST, password);
        return update("UPDATE staff SET password_hash = ? WHERE name = ?", hash, name,
                haven.coordinator.evidence.StaffDecisions.ACCOUNT_CHANGED, Json.object().put("name", name).put("password", "changed"));
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

    private boolean update(String sql, String first, String second, String recordType, ObjectNode record) throws SQLException {
        boolean done = db.transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement(sql)) {
                ps.setString(1, first);
                ps.setString(2, second);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            decisions.record(c, recordType, haven.coordinator.evidence.StaffDecisions.SCHOOL, record);
            return true;
        });
        changed();
        return done;
    }

    /** True once any enabled coordinator account exists (before that, the first-run setup link works). */
    public boolean hasCoordinator() throws SQLException {
        return db.query(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement(
                    "SELECT count(*) FROM staff WHERE role = 'coordinator' AND disabled = 0");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        });
    }

    /** The role of an enabled account, without a password: who an alert may be sent to, and what it may say. */
    public Optional<Role> activeRole(String name) throws SQLException {
        return db.query(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT role FROM staff WHERE name = ? AND disabled = 0")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Role.fromWire(rs.getString(1)) : Optional.empty();
                }
            }
        });
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
            String role;
            String hash;
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT role, password_hash FROM staff WHERE name = ? AND disabled = 0")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Standing>empty();
                    }
                    role = rs.getString(1);
                    hash = rs.getString(2);
                }
            }
            java.util.TreeSet<String> rooms = new java.util.TreeSet<>();
            java.util.Set<haven.protocol.RoomId> ids = new java.util.HashSet<>();
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT site, room FROM staff_rooms WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(new haven.protocol.RoomId(rs.getString(1), rs.getString(2)));
                        rooms.add(rs.getString(1) + "/" + rs.getString(2));
                    }
                }
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
        Optional<Row> row = db.query(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT role, password_hash, disabled FROM staff WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getInt(3) == 1)) : Optional.empty();
                }
            }
        });
        String hash = row.map(Row::hash).orElse(DUMMY_HASH);
        boolean ok = BCrypt.verifyer().verify(password, hash.toCharArray()).verified;
        if (!ok || row.isEmpty() || row.get().disabled()) {
            return Optional.empty();
        }
        return Role.fromWire(row.get().role());
    }
}
