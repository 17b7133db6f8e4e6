-- The hub's outbox: every event is committed here before it is published, and marked sent only on PUBACK.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    topic      TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    sent_at    TEXT
);
CREATE INDEX outbox_unsent ON outbox(seq) WHERE sent_at IS NULL;
-- Small key/value state that must survive a restart (e.g. the cached AUP).
CREATE TABLE hub_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
