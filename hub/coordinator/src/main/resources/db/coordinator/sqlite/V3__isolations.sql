-- Computers cut off from the network, from the hubs' isolation.* events, and the senior sign-offs that
-- release them (policy: more than one senior member of staff is involved).
CREATE TABLE isolations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    site                 TEXT NOT NULL,
    room                 TEXT NOT NULL,
    machine              TEXT NOT NULL,
    mac                  TEXT NOT NULL,
    ip                   TEXT NOT NULL,
    backend              TEXT,
    status               TEXT NOT NULL,
    verified             INTEGER NOT NULL DEFAULT 0,
    detail               TEXT,
    requested_at         TEXT NOT NULL,
    applied_at           TEXT,
    release_requested_at TEXT,
    released_at          TEXT
);
CREATE UNIQUE INDEX isolations_one_open ON isolations(site, room, machine) WHERE status <> 'released';

CREATE TABLE signoffs (
    isolation_id INTEGER NOT NULL REFERENCES isolations(id),
    staff        TEXT NOT NULL,
    role         TEXT NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (isolation_id, staff)
);
