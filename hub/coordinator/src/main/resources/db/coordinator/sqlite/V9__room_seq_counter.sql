-- How many distinct hub seqs of a room are in the log, kept as a counter so ingesting one event does not
-- count the room's whole history (it did: count(DISTINCT seq) per ingested event).
ALTER TABLE rooms ADD COLUMN logged_seqs INTEGER NOT NULL DEFAULT 0;
UPDATE rooms SET logged_seqs = (SELECT count(DISTINCT seq) FROM events e WHERE e.site = rooms.site AND e.room = rooms.room AND e.seq > 0);
