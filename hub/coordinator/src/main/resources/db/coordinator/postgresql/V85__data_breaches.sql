-- PostgreSQL twin of ../sqlite/V85__data_breaches.sql (docs/DATA-PROTECTION.md). Owner: haven.coordinator.Breaches.
CREATE TABLE breaches (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref                 TEXT   COLLATE "C" NOT NULL UNIQUE,
    discovered_at       TEXT   COLLATE "C" NOT NULL,
    recorded_at         TEXT   COLLATE "C" NOT NULL,
    recorded_by         TEXT   COLLATE "C" NOT NULL,
    what_happened       TEXT   COLLATE "C" NOT NULL,
    data_affected       TEXT   COLLATE "C" NOT NULL,
    people_affected     TEXT   COLLATE "C" NOT NULL,
    containment         TEXT   COLLATE "C",
    deadline_warned_at  TEXT   COLLATE "C",
    decision            TEXT   COLLATE "C",
    decided_at          TEXT   COLLATE "C",
    decided_by          TEXT   COLLATE "C",
    ico_reference       TEXT   COLLATE "C",
    reported_at         TEXT   COLLATE "C",
    reason              TEXT   COLLATE "C",
    people_told         INTEGER
);
CREATE INDEX breaches_open ON breaches(decision, discovered_at);

CREATE TABLE breach_notes (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    breach_id BIGINT NOT NULL REFERENCES breaches(id),
    at        TEXT   COLLATE "C" NOT NULL,
    by_name   TEXT   COLLATE "C" NOT NULL,
    text      TEXT   COLLATE "C" NOT NULL
);
CREATE INDEX breach_notes_breach ON breach_notes(breach_id);
