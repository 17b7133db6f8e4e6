package haven.coordinator;

import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The second factor of staff logins, owner of `staff_totp` and `staff_recovery_codes` (V75): enrolment (a secret
 * the member of staff's app confirms with one code, plus ten recovery codes shown once), a TOTP check that spends
 * the code's step in the same statement that accepts it (two logins with one code at the same moment: one wins),
 * and single-use recovery codes. The secret has to be readable to check a code; it lives in the coordinator's
 * database, which is already mode 0640 and holds the incidents it protects. Recovery codes are random (50 bits
 * each), so SHA-256 is enough to keep them unreadable: there is nothing to guess a dictionary of.
 */
public final class SecondFactor {
    public static final int RECOVERY_CODES = 10;
    private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

    private final Database db;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final StaffDecisions decisions;

    public SecondFactor(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.decisions = new StaffDecisions(clock);
    }

    public byte[] newSecret() {
        return Totp.newSecret(random);
    }

    public boolean enrolled(String name) throws SQLException {
        return db.query(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT 1 FROM staff_totp WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Enrols when the code matches the new secret; the recovery codes, in clear this once. Empty: wrong code or enrolled already. */
    public Optional<List<String>> enrol(String name, byte[] secret, String code) throws SQLException {
        OptionalLong step = Totp.matchingStep(secret, code, clock.instant(), 0);
        if (step.isEmpty()) {
            return Optional.empty();
        }
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < RECOVERY_CODES; i++) {
            codes.add(recoveryCode());
        }
        boolean done = db.transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement(
                    "INSERT INTO staff_totp(name, secret, last_step, enrolled_at) VALUES (?,?,?,?) ON CONFLICT(name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setString(2, Totp.base32(secret));
                ps.setLong(3, step.getAsLong());
                ps.setString(4, Json.time(clock.instant()));
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.getConnection().prepareStatement("INSERT INTO staff_recovery_codes(name, code_hash) VALUES (?,?)")) {
                for (String r : codes) {
                    ps.setString(1, name);
                    ps.setString(2, hash(r.replace("-", "")));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            decisions.record(c, StaffDecisions.ACCOUNT_CHANGED, StaffDecisions.SCHOOL, Json.object().put("name", name)
                    .put("secondFactor", "enrolled"));
            return true;
        });
        return done ? Optional.of(List.copyOf(codes)) : Optional.empty();
    }

    /** True once per code: the step it belongs to is spent in the same UPDATE that accepts it. */
    public boolean verify(String name, String code) throws SQLException {
        return db.transaction(c -> {
            String secret;
            long last;
            try (PreparedStatement ps = c.getConnection().prepareStatement("SELECT secret, last_step FROM staff_totp WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    secret = rs.getString(1);
                    last = rs.getLong(2);
                }
            }
            OptionalLong step = Totp.matchingStep(Totp.fromBase32(secret), code, clock.instant(), last);
            if (step.isEmpty()) {
                return false;
            }
            try (PreparedStatement ps = c.getConnection().prepareStatement("UPDATE staff_totp SET last_step = ? WHERE name = ? AND last_step < ?")) {
                ps.setLong(1, step.getAsLong());
                ps.setString(2, name);
                ps.setLong(3, step.getAsLong());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** True once per recovery code. */
    public boolean recover(String name, String code) throws SQLException {
        String clean = code == null ? "" : code.strip().toLowerCase(java.util.Locale.ROOT).replace(" ", "").replace("-", "");
        if (clean.isEmpty()) {
            return false;
        }
        return db.transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement(
                    "UPDATE staff_recovery_codes SET used_at = ? WHERE name = ? AND code_hash = ? AND used_at IS NULL")) {
                ps.setString(1, Json.time(clock.instant()));
                ps.setString(2, name);
                ps.setString(3, hash(clean));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** `haven user totp-reset`: a lost phone with no recovery codes left; the next login enrols afresh. False if not enrolled. */
    public boolean reset(String name) throws SQLException {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.getConnection().prepareStatement("DELETE FROM staff_recovery_codes WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.getConnection().prepareStatement("DELETE FROM staff_totp WHERE name = ?")) {
                ps.setString(1, name);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            decisions.record(c, StaffDecisions.ACCOUNT_CHANGED, StaffDecisions.SCHOOL, Json.object().put("name", name)
                    .put("secondFactor", "reset"));
            return true;
        });
    }

    private String recoveryCode() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            if (i == 5) {
                out.append('-');
            }
            out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }

    private static String hash(String code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
