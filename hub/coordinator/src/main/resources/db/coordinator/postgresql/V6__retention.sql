-- Retention: a purge removes the oldest part of the evidence log in one transaction and leaves a
-- checkpoint (the hash of the last purged row), so the rest of the chain still verifies.
CREATE TABLE purge_in_progress (started_at TEXT COLLATE "C" NOT NULL);
-- As in SQLite: deleting events is refused unless the purge flag row exists (it is inserted and removed
-- inside the purge's own transaction, so no other session ever sees it). TRUNCATE stays refused always.
DROP TRIGGER events_no_delete ON events;
CREATE FUNCTION events_delete_only_in_purge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM purge_in_progress) THEN
        RAISE EXCEPTION 'events are append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_delete_only_in_purge();
CREATE TABLE chain_checkpoints (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    up_to_pos     BIGINT NOT NULL,
    hash          TEXT   COLLATE "C" NOT NULL,
    purged_events BIGINT NOT NULL,
    at            TEXT   COLLATE "C" NOT NULL
);
CREATE FUNCTION checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'checkpoints are append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON chain_checkpoints FOR EACH ROW EXECUTE FUNCTION checkpoints_append_only();
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON chain_checkpoints FOR EACH ROW EXECUTE FUNCTION checkpoints_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON chain_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_append_only();
