-- Where an incident came from: a pupil's press (worry), a member of staff (concern), a failed filter check
-- (filter-check, for the technician) or a turned key switch / remote isolation (isolation).
ALTER TABLE incidents ADD COLUMN source TEXT NOT NULL DEFAULT 'worry';
