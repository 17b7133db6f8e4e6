-- PostgreSQL twin of ../sqlite/V60__isolation_decisions_before_chain.sql: sign-offs and release requests an
-- upgraded database holds without coordinator.* records, kept once as they stood at the upgrade.
CREATE TABLE isolation_decisions_before_chain AS
    SELECT i.site, i.room, i.machine, i.requested_at, i.release_requested_at, s.staff, s.role, s.at
    FROM isolations i LEFT JOIN signoffs s ON s.isolation_id = i.id
    WHERE i.release_requested_at IS NOT NULL OR s.staff IS NOT NULL;
CREATE FUNCTION isolation_decisions_before_chain_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'isolation_decisions_before_chain is written once, at the upgrade' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER isolation_decisions_before_chain_no_insert BEFORE INSERT ON isolation_decisions_before_chain FOR EACH ROW EXECUTE FUNCTION isolation_decisions_before_chain_frozen();
CREATE TRIGGER isolation_decisions_before_chain_no_update BEFORE UPDATE ON isolation_decisions_before_chain FOR EACH ROW EXECUTE FUNCTION isolation_decisions_before_chain_frozen();
CREATE TRIGGER isolation_decisions_before_chain_no_delete BEFORE DELETE ON isolation_decisions_before_chain FOR EACH ROW EXECUTE FUNCTION isolation_decisions_before_chain_frozen();
CREATE TRIGGER isolation_decisions_before_chain_no_truncate BEFORE TRUNCATE ON isolation_decisions_before_chain FOR EACH STATEMENT EXECUTE FUNCTION isolation_decisions_before_chain_frozen();
