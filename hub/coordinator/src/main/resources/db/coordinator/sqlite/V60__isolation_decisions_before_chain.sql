-- Sign-offs and release requests an upgraded database holds from before they were chained (docs/EVIDENCE.md):
-- the isolations table is now rebuilt from the log and compared by verify-log, so what was decided before
-- coordinator.signed-off / coordinator.release-sent existed is kept here once, as it stood at the upgrade,
-- and the rebuild starts from it. Never changed after.
CREATE TABLE isolation_decisions_before_chain AS
    SELECT i.site, i.room, i.machine, i.requested_at, i.release_requested_at, s.staff, s.role, s.at
    FROM isolations i LEFT JOIN signoffs s ON s.isolation_id = i.id
    WHERE i.release_requested_at IS NOT NULL OR s.staff IS NOT NULL;
CREATE TRIGGER isolation_decisions_before_chain_no_insert BEFORE INSERT ON isolation_decisions_before_chain
BEGIN SELECT RAISE(ABORT, 'isolation_decisions_before_chain is written once, at the upgrade'); END;
CREATE TRIGGER isolation_decisions_before_chain_no_update BEFORE UPDATE ON isolation_decisions_before_chain
BEGIN SELECT RAISE(ABORT, 'isolation_decisions_before_chain is written once, at the upgrade'); END;
CREATE TRIGGER isolation_decisions_before_chain_no_delete BEFORE DELETE ON isolation_decisions_before_chain
BEGIN SELECT RAISE(ABORT, 'isolation_decisions_before_chain is written once, at the upgrade'); END;
