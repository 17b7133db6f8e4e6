-- PostgreSQL twin of ../sqlite/V42__isolation_cases.sql (docs/CASEWORK.md).
ALTER TABLE isolations ADD COLUMN incident_report TEXT COLLATE "C";
ALTER TABLE isolations ADD COLUMN reason TEXT COLLATE "C";
-- Hub isolation events logged before this upgrade opened no case, and a rebuild must not open one for them.
CREATE TABLE case_isolations_from (pos BIGINT NOT NULL);
INSERT INTO case_isolations_from(pos) SELECT coalesce(max(pos), 0) FROM events;
