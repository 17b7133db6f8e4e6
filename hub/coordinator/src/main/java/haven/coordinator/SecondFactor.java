package haven.coordinator;

import haven.coordinator.evidence.StaffDecisions;
import haven.protocol.Json;
import haven.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
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
    private static final String ENROLLED = "SELECT 1 FROM staff_totp WHERE name = :name";
    private static final String ENROL = """
            INSERT INTO staff_totp(name, secret, last_step, enrolled_at) VALUES (:name, :secret, :step, :at)
            ON CONFLICT(name) DO NOTHING""";
    private static final String INSERT_RECOVERY = "INSERT INTO staff_recovery_codes(name, code_hash) VALUES (:name, :hash)";
    private static final String SECRET = "SELECT secret, last_step FROM staff_totp WHERE name = :name";
    /** Spends the step in the statement that accepts it: of two logins with one code, one updates a row. */
    private static final String SPEND_STEP = "UPDATE staff_totp SET last_step = :step WHERE name = :name AND last_step < :step";
    private static final String SPEND_RECOVERY = """
            UPDATE staff_recovery_codes SET used_at = :at WHERE name = :name AND code_hash = :hash AND used_at IS NULL""";
    private static final String DELETE_RECOVERY = "DELETE FROM staff_recovery_codes WHERE name = :name";
    private static final String DELETE_TOTP = "DELETE FROM staff_totp WHERE name = :name";
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
        return db.query(c -> c.createQuery(ENROLLED).bind("name", name).mapTo(Integer.class).findOne().isPresent());
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
            if (c.createUpdate(ENROL).bind("name", name).bind("secret", Totp.base32(secret)).bind("step", step.getAsLong())
                    .bind("at", clock.instant()).execute() != 1) {
                return false;
            }
            var batch = c.prepareBatch(INSERT_RECOVERY);
            for (String r : codes) {
                batch.bind("name", name).bind("hash", hash(r.replace("-", ""))).add();
            }
            batch.execute();
            decisions.record(c, StaffDecisions.ACCOUNT_CHANGED, StaffDecisions.SCHOOL, Json.object().put("name", name)
                    .put("secondFactor", "enrolled"));
            return true;
        });
        return done ? Optional.of(List.copyOf(codes)) : Optional.empty();
    }

    /** True once per code: the step it belongs to is spent in the same UPDATE that accepts it. */
    public boolean verify(String name, String code) throws SQLException {
        return db.transaction(c -> {
            record Enrolled(String secret, long last) {
            }
            Optional<Enrolled> found = c.createQuery(SECRET).bind("name", name)
                    .map((rs, ctx) -> new Enrolled(rs.getString("secret"), rs.getLong("last_step"))).findOne();
            if (found.isEmpty()) {
                return false;
            }
            OptionalLong step = Totp.matchingStep(Totp.fromBase32(found.get().secret()), code, clock.instant(), found.get().last());
            if (step.isEmpty()) {
                return false;
            }
            return c.createUpdate(SPEND_STEP).bind("step", step.getAsLong()).bind("name", name).execute() == 1;
        });
    }

    /** True once per recovery code. */
    public boolean recover(String name, String code) throws SQLException {
        String clean = code == null ? "" : code.strip().toLowerCase(java.util.Locale.ROOT).replace(" ", "").replace("-", "");
        if (clean.isEmpty()) {
            return false;
        }
        return db.transaction(c -> c.createUpdate(SPEND_RECOVERY).bind("at", clock.instant()).bind("name", name)
                .bind("hash", hash(clean)).execute() == 1);
    }

    /** `haven user totp-reset`: a lost phone with no recovery codes left; the next login enrols afresh. False if not enrolled. */
    public boolean reset(String name) throws SQLException {
        return db.transaction(c -> {
            c.createUpdate(DELETE_RECOVERY).bind("name", name).execute();
            if (c.createUpdate(DELETE_TOTP).bind("name", name).execute() != 1) {
                return false;
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
