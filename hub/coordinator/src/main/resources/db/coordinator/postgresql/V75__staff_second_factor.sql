-- A member of staff's second factor (docs/SECURITY.md): the TOTP secret their authenticator app holds, the last
-- 30-second step a code was accepted for (so no code works twice), and single-use recovery codes, hashed.
CREATE TABLE staff_totp (
    name        TEXT   COLLATE "C" NOT NULL PRIMARY KEY REFERENCES staff(name),
    secret      TEXT   COLLATE "C" NOT NULL,
    last_step   BIGINT NOT NULL DEFAULT 0,
    enrolled_at TEXT   COLLATE "C" NOT NULL
);
CREATE TABLE staff_recovery_codes (
    name      TEXT COLLATE "C" NOT NULL REFERENCES staff(name),
    code_hash TEXT COLLATE "C" NOT NULL,
    used_at   TEXT COLLATE "C",
    PRIMARY KEY (name, code_hash)
);
