-- Temporary unblock requests (docs/FILTERING.md): a member of staff asks the technical staff to take sites off the
-- filtered list for a period of study, with the reason; the technician approves or refuses with a reason. Each
-- step is also a chained coordinator.* record and an audit row; this table is what the dashboard lists.
CREATE TABLE unblock_requests (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    requested_at    TEXT COLLATE "C" NOT NULL,
    requested_by    TEXT COLLATE "C" NOT NULL,
    sites           TEXT COLLATE "C" NOT NULL,
    reason          TEXT COLLATE "C" NOT NULL,
    class_group     TEXT COLLATE "C" NOT NULL,
    from_at         TEXT COLLATE "C" NOT NULL,
    until_at        TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL,
    decided_by      TEXT COLLATE "C",
    decided_at      TEXT COLLATE "C",
    decision_reason TEXT COLLATE "C"
);
