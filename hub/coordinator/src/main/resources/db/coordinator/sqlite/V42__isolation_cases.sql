-- Isolation as part of a case (docs/CASEWORK.md): the case an isolated computer belongs to (by its report id, which the log decides; row ids it does not), and why it was isolated.
ALTER TABLE isolations ADD COLUMN incident_report TEXT;
ALTER TABLE isolations ADD COLUMN reason TEXT;
-- Hub isolation events logged before this upgrade opened no case, and a rebuild from the log must not open
-- one for them either: cases open only for events after this position (copied into a rebuild's scratch copy).
CREATE TABLE case_isolations_from (pos INTEGER NOT NULL);
INSERT INTO case_isolations_from(pos) SELECT coalesce(max(pos), 0) FROM events;
