-- When a teacher last went through the AUP with the class in this room (teacher mode on the kiosk):
-- a projection of the room's aup.reviewed events, which stay in the evidence log (docs/KIOSK.md).
ALTER TABLE rooms ADD COLUMN aup_reviewed_at TEXT;
