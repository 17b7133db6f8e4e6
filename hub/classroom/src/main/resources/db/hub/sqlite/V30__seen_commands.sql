-- The ids of the signed commands this hub has acted on, so a recorded genuine command published again (a replay)
-- is refused, across a restart too. Commands older than the freshness window are refused by their time anyway,
-- so a day of ids is more than enough; SeenCommands prunes older rows and caps the table.
CREATE TABLE seen_commands (
    id       TEXT PRIMARY KEY,
    at       TEXT NOT NULL,
    seen_at  TEXT NOT NULL
);
CREATE INDEX seen_commands_seen_at ON seen_commands(seen_at);
