-- The DfE check log (docs/FILTERING.md): each filter check is a filter.checked event in the chained events
-- table; this table holds what staff recorded about a failed one (the "resulting action"), one row per check.
CREATE TABLE filter_check_actions (
    event_id    TEXT PRIMARY KEY,
    action      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
