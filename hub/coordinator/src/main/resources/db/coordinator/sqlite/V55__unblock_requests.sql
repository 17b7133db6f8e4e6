-- Temporary unblock requests (docs/FILTERING.md): a member of staff asks the technical staff to take sites off the
-- filtered list for a period of study, with the reason; the technician approves or refuses with a reason. Each
-- step is also a chained coordinator.* record and an audit row; this table is what the dashboard lists.
CREATE TABLE unblock_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    requested_at    TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    sites           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    class_group     TEXT NOT NULL,
    from_at         TEXT NOT NULL,
    until_at        TEXT NOT NULL,
    status          TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    decision_reason TEXT
);
