-- The staff page lists each account's last sign-in, read from the audit trail's "login" rows (docs/DASHBOARD.md);
-- without this index that is a scan of every audited read.
CREATE INDEX audit_actor_action ON audit(actor, action, at);
