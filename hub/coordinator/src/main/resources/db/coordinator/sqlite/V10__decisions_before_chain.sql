-- Staff decisions taken before Haven chained them (docs/EVIDENCE.md): a database upgraded from an earlier
-- version has acknowledged and closed incidents with no coordinator.* records behind them. They are kept
-- here exactly as they stood at the upgrade, once: the table refuses every later insert, change or delete,
-- and verify-log accepts such an incident only if it still matches this row. Decisions taken after the
-- upgrade are in the chain.
CREATE TABLE decisions_before_chain AS
    SELECT report_id, status, acked_at, acked_by, closed_at, closed_by, outcome, notes, url, nature, escalated_at
    FROM incidents
    WHERE status <> 'open' OR acked_at IS NOT NULL OR closed_at IS NOT NULL OR escalated_at IS NOT NULL;
CREATE TRIGGER decisions_before_chain_no_insert BEFORE INSERT ON decisions_before_chain
BEGIN SELECT RAISE(ABORT, 'decisions_before_chain is written once, at the upgrade'); END;
CREATE TRIGGER decisions_before_chain_no_update BEFORE UPDATE ON decisions_before_chain
BEGIN SELECT RAISE(ABORT, 'decisions_before_chain is written once, at the upgrade'); END;
CREATE TRIGGER decisions_before_chain_no_delete BEFORE DELETE ON decisions_before_chain
BEGIN SELECT RAISE(ABORT, 'decisions_before_chain is written once, at the upgrade'); END;
