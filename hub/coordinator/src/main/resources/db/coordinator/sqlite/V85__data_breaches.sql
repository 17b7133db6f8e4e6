-- Data-breach records (docs/DATA-PROTECTION.md). Policy: "report data breaches within 72 hours as required
-- by the ICO". The 72 hours run from when the school became aware (discovered_at), not from when the row was
-- written. Every change is a chained coordinator.breach-* record; this table and breach_notes are projections
-- of them, rebuilt and compared by verify-log (haven.coordinator.Projections). Owner: haven.coordinator.Breaches.
CREATE TABLE breaches (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    ref                 TEXT    NOT NULL UNIQUE,
    discovered_at       TEXT    NOT NULL,
    recorded_at         TEXT    NOT NULL,
    recorded_by         TEXT    NOT NULL,
    what_happened       TEXT    NOT NULL,
    data_affected       TEXT    NOT NULL,
    people_affected     TEXT    NOT NULL,
    containment         TEXT,
    deadline_warned_at  TEXT,
    decision            TEXT,
    decided_at          TEXT,
    decided_by          TEXT,
    ico_reference       TEXT,
    reported_at         TEXT,
    reason              TEXT,
    people_told         INTEGER
);
CREATE INDEX breaches_open ON breaches(decision, discovered_at);

-- Updates while the breach is worked: append-only, like case notes.
CREATE TABLE breach_notes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    breach_id INTEGER NOT NULL REFERENCES breaches(id),
    at        TEXT    NOT NULL,
    by_name   TEXT    NOT NULL,
    text      TEXT    NOT NULL
);
CREATE INDEX breach_notes_breach ON breach_notes(breach_id);
