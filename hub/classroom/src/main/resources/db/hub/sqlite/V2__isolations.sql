-- Isolations the hub has been asked to apply. A row stays active (released_at NULL) until two senior
-- staff sign off and the release is carried out, so a hub restart re-applies every active row.
CREATE TABLE isolations (
    id           INTEGER PRIMARY KEY,
    machine_name TEXT    NOT NULL,
    mac          TEXT    NOT NULL,
    ip           TEXT    NOT NULL,
    backend      TEXT    NOT NULL,
    applied_at   TEXT    NOT NULL,
    applied      INTEGER NOT NULL DEFAULT 0,
    verified     INTEGER NOT NULL DEFAULT 0,
    handle       TEXT,
    evidence     TEXT,
    failure      TEXT,
    updated_at   TEXT    NOT NULL,
    released_at  TEXT
);
CREATE UNIQUE INDEX isolations_active_mac ON isolations(mac) WHERE released_at IS NULL;
