-- One condition on the room when its hub is over the ingest limits (docs/SECURITY.md, hostile hub): what was
-- refused, how many, and when last, instead of thousands of rows on the dashboard.
ALTER TABLE rooms ADD COLUMN flood TEXT;
ALTER TABLE rooms ADD COLUMN flood_refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN flood_last TEXT;
