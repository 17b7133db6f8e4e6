-- The audit trail becomes a second hash chain (docs/EVIDENCE.md): each row's hash is SHA-256 over the
-- previous row's hash and the row's canonical JSON. Rows written before this migration have no hash and
-- are reported by verify-log as unchained; every later row must chain. Audit rows are never changed.
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
