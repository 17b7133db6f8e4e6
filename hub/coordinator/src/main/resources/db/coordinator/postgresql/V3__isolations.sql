-- Computers cut off from the network, from the hubs' isolation.* events, and the senior sign-offs that
-- release them (policy: more than one senior member of staff is involved).
CREATE TABLE isolations (
    id                   BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site                 TEXT    COLLATE "C" NOT NULL,
    room                 TEXT    COLLATE "C" NOT NULL,
    machine              TEXT    COLLATE "C" NOT NULL,
    mac                  TEXT    COLLATE "C" NOT NULL,
    ip                   TEXT    COLLATE "C" NOT NULL,
    backend              TEXT    COLLATE "C",
    status               TEXT    COLLATE "C" NOT NULL,
    verified             INTEGER NOT NULL DEFAULT 0,
    detail               TEXT    COLLATE "C",
    requested_at         TEXT    COLLATE "C" NOT NULL,
    applied_at           TEXT    COLLATE "C",
    release_requested_at TEXT    COLLATE "C",
    released_at          TEXT    COLLATE "C"
);
CREATE UNIQUE INDEX isolations_one_open ON isolations(site, room, machine) WHERE status <> 'released';

CREATE TABLE signoffs (
    isolation_id BIGINT NOT NULL REFERENCES isolations(id),
    staff        TEXT   COLLATE "C" NOT NULL,
    role         TEXT   COLLATE "C" NOT NULL,
    at           TEXT   COLLATE "C" NOT NULL,
    PRIMARY KEY (isolation_id, staff)
);
