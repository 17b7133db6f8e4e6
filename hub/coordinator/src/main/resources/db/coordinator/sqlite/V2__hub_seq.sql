-- The highest seq each hub says it has committed (from its status), so missing trailing events show too.
ALTER TABLE rooms ADD COLUMN expected_seq INTEGER NOT NULL DEFAULT 0;
