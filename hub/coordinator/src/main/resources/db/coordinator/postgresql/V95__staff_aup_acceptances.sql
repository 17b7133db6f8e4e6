-- Staff AUP acceptance (docs/DASHBOARD.md): staff "have read, understood and signed the Staff Acceptable Use
-- Policy". One row per member of staff per version accepted; every version kept, like the AUPs themselves.
-- The chained coordinator.staff-aup-accepted record is the evidence; this table is what the dashboard asks.
CREATE TABLE staff_aup_acceptances (
    name        TEXT    COLLATE "C" NOT NULL,
    version     INTEGER NOT NULL,
    accepted_at TEXT    COLLATE "C" NOT NULL,
    PRIMARY KEY (name, version)
);
