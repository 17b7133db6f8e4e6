-- PostgreSQL twin of ../sqlite/V42__isolation_cases.sql (docs/CASEWORK.md).
ALTER TABLE isolations ADD COLUMN incident_id BIGINT;
ALTER TABLE isolations ADD COLUMN reason TEXT COLLATE "C";
