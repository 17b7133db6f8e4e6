-- When the coordinator received the event that opened an incident, by its own clock: escalation and the order of
-- the lists use it, never the hub's `at` alone (a hub clock in 2099 once stopped a worry from ever escalating).
ALTER TABLE incidents ADD COLUMN received_at TEXT;
UPDATE incidents SET received_at = coalesce((SELECT e.received_at FROM events e WHERE e.id = incidents.report_id), opened_at);
CREATE INDEX incidents_received ON incidents(received_at);
