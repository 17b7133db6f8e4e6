-- Isolation as part of a case (docs/CASEWORK.md): the incident an isolated computer belongs to, and why it was isolated.
ALTER TABLE isolations ADD COLUMN incident_id INTEGER;
ALTER TABLE isolations ADD COLUMN reason TEXT;
