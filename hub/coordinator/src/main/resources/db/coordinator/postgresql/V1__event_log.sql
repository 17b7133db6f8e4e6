-- PostgreSQL twin of ../sqlite/V1__event_log.sql: same tables and columns, same numbering. Timestamps stay TEXT
-- holding ISO-8601 UTC strings and payload stays TEXT (not jsonb), so the canonical JSON and the hash chain
-- are byte-identical on either database. Every text column is COLLATE "C": byte order, as SQLite compares,
-- so ISO timestamps compare and sort as times whatever the server's locale.

-- Append-only, hash-chained log of every accepted event (evidence). Never updated, never deleted.
-- GENERATED ALWAYS: positions come from the database only, never from a writer.
CREATE TABLE events (
    pos         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT    COLLATE "C" NOT NULL UNIQUE,
    site        TEXT    COLLATE "C" NOT NULL,
    room        TEXT    COLLATE "C" NOT NULL,
    seq         BIGINT  NOT NULL,
    type        TEXT    COLLATE "C" NOT NULL,
    at          TEXT    COLLATE "C" NOT NULL,
    received_at TEXT    COLLATE "C" NOT NULL,
    payload     TEXT    COLLATE "C" NOT NULL,
    prev_hash   TEXT    COLLATE "C" NOT NULL,
    hash        TEXT    COLLATE "C" NOT NULL
);
CREATE INDEX events_room_seq ON events(site, room, seq);
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
-- TRUNCATE fires no row triggers; SQLite has no TRUNCATE, PostgreSQL needs its own guard.
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- One incident per worry report; follow-up presses raise 'presses'.
CREATE TABLE incidents (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id   TEXT    COLLATE "C" NOT NULL UNIQUE,
    site        TEXT    COLLATE "C" NOT NULL,
    room        TEXT    COLLATE "C" NOT NULL,
    status      TEXT    COLLATE "C" NOT NULL,
    presses     BIGINT  NOT NULL,
    category    TEXT    COLLATE "C",
    computer    TEXT    COLLATE "C",
    opened_at   TEXT    COLLATE "C" NOT NULL,
    acked_at    TEXT    COLLATE "C",
    acked_by    TEXT    COLLATE "C",
    closed_at   TEXT    COLLATE "C",
    closed_by   TEXT    COLLATE "C",
    outcome     TEXT    COLLATE "C"
);
CREATE INDEX incidents_status ON incidents(status);

CREATE TABLE rooms (
    site          TEXT   COLLATE "C" NOT NULL,
    room          TEXT   COLLATE "C" NOT NULL,
    online        INTEGER NOT NULL,
    since         TEXT   COLLATE "C" NOT NULL,
    version       TEXT   COLLATE "C",
    aup_key_stage TEXT   COLLATE "C",
    aup_version   TEXT   COLLATE "C",
    condition     TEXT   COLLATE "C",
    last_seq      BIGINT NOT NULL DEFAULT 0,
    gap_warning   TEXT   COLLATE "C",
    PRIMARY KEY (site, room)
);

-- Payloads that broke the contract: kept with the reason so nothing is silently dropped.
CREATE TABLE rejected (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at TEXT   COLLATE "C" NOT NULL,
    topic       TEXT   COLLATE "C" NOT NULL,
    reason      TEXT   COLLATE "C" NOT NULL,
    size        BIGINT NOT NULL,
    payload     BYTEA  NOT NULL
);

CREATE TABLE counters (
    name  TEXT   COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE staff (
    name          TEXT    COLLATE "C" PRIMARY KEY,
    role          TEXT    COLLATE "C" NOT NULL,
    password_hash TEXT    COLLATE "C" NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    COLLATE "C" NOT NULL
);

-- Every read of incident data and every staff action (data protection: access monitored and audited).
CREATE TABLE audit (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       TEXT   COLLATE "C" NOT NULL,
    actor    TEXT   COLLATE "C" NOT NULL,
    action   TEXT   COLLATE "C" NOT NULL,
    target   TEXT   COLLATE "C" NOT NULL
);
