-- A pupil who asked to talk to someone came forward to a member of staff (the follow-up code): when and to
-- whom, recorded once by that adult on the dashboard. Chained as coordinator.came-forward (docs/EVIDENCE.md).
ALTER TABLE incidents ADD COLUMN came_forward_at TEXT;
ALTER TABLE incidents ADD COLUMN came_forward_by TEXT;
