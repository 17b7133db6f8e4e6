-- Gap repair gives up after a bound (docs/SECURITY.md, hostile hub): how often the hub was asked since the gap last
-- shrank, the gap's size then, and when Haven stopped asking (shown on the room).
ALTER TABLE rooms ADD COLUMN repair_asks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN repair_missing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN repair_gave_up TEXT;
