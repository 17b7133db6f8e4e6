-- Append-only, hash-chained log of every accepted event (evidence). Never updated, never deleted.
CREATE TABLE events (
    pos         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    site        TEXT    NOT NULL,
    room        TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX events_room_seq ON events(site, room, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- One incident per worry report; follow-up presses raise 'presses'.
CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   TEXT    NOT NULL UNIQUE,
    site        TEXT    NOT NULL,
    room        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    presses     INTEGER NOT NULL,
    category    TEXT,
    computer    TEXT,
    opened_at   TEXT    NOT NULL,
    acked_at    TEXT,
    acked_by    TEXT,
    closed_at   TEXT,
    closed_by   TEXT,
    outcome     TEXT
);
CREATE INDEX incidents_status ON incidents(status);

CREATE TABLE rooms (
    site          TEXT NOT NULL,
    room          TEXT NOT NULL,
    online        INTEGER NOT NULL,
    since         TEXT NOT NULL,
    version       TEXT,
    aup_key_stage TEXT,
    aup_version   TEXT,
    condition     TEXT,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    gap_warning   TEXT,
    PRIMARY KEY (site, room)
);

-- Payloads that broke the contract: kept with the reason so nothing is silently dropped.
CREATE TABLE rejected (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    topic       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    payload     BLOB NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE staff (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Every read of incident data and every staff action (data protection: access monitored and audited).
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL
);
