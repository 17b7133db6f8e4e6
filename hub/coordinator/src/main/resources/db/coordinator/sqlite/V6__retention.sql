-- Retention: a purge removes the oldest part of the evidence log in one transaction and leaves a
-- checkpoint (the hash of the last purged row), so the rest of the chain still verifies.
CREATE TABLE purge_in_progress (started_at TEXT NOT NULL);
DROP TRIGGER events_no_delete;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events WHEN NOT EXISTS (SELECT 1 FROM purge_in_progress) BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TABLE chain_checkpoints (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    up_to_pos     INTEGER NOT NULL,
    hash          TEXT    NOT NULL,
    purged_events INTEGER NOT NULL,
    at            TEXT    NOT NULL
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON chain_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON chain_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
