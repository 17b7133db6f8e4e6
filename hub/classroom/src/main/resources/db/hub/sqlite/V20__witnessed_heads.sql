-- The heads of the coordinator's evidence chain this hub has seen (retained on _site/chain-head and in
-- every command): the hub's witness that the log was not rewritten or truncated later. `haven verify-log
-- --hub-db` reads them (docs/EVIDENCE.md). Kept: every head of the last day, and the last head of each day
-- before it; never updated.
CREATE TABLE witnessed_heads (
    position  INTEGER NOT NULL,
    hash      TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    seen_at   TEXT    NOT NULL,
    via       TEXT    NOT NULL,
    PRIMARY KEY (position, hash)
);
CREATE TRIGGER witnessed_heads_no_update BEFORE UPDATE ON witnessed_heads BEGIN SELECT RAISE(ABORT, 'witnessed heads are kept as seen'); END;
