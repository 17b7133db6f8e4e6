-- PostgreSQL twin of ../sqlite/V10__decisions_before_chain.sql: the staff decisions an upgraded database
-- holds without coordinator.* records, kept once as they stood at the upgrade, never changed after.
CREATE TABLE decisions_before_chain AS
    SELECT report_id, status, acked_at, acked_by, closed_at, closed_by, outcome, notes, url, nature, escalated_at
    FROM incidents
    WHERE status <> 'open' OR acked_at IS NOT NULL OR closed_at IS NOT NULL OR escalated_at IS NOT NULL;
CREATE FUNCTION decisions_before_chain_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decisions_before_chain is written once, at the upgrade' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER decisions_before_chain_no_insert BEFORE INSERT ON decisions_before_chain FOR EACH ROW EXECUTE FUNCTION decisions_before_chain_frozen();
CREATE TRIGGER decisions_before_chain_no_update BEFORE UPDATE ON decisions_before_chain FOR EACH ROW EXECUTE FUNCTION decisions_before_chain_frozen();
CREATE TRIGGER decisions_before_chain_no_delete BEFORE DELETE ON decisions_before_chain FOR EACH ROW EXECUTE FUNCTION decisions_before_chain_frozen();
CREATE TRIGGER decisions_before_chain_no_truncate BEFORE TRUNCATE ON decisions_before_chain FOR EACH STATEMENT EXECUTE FUNCTION decisions_before_chain_frozen();
