-- The policy's fields for misuse (the URL and a description of the nature of the content, never the
-- content itself), the DSL's notes, escalation and the end-of-day flag.
ALTER TABLE incidents ADD COLUMN notes TEXT;
ALTER TABLE incidents ADD COLUMN url TEXT;
ALTER TABLE incidents ADD COLUMN nature TEXT;
ALTER TABLE incidents ADD COLUMN escalated_at TEXT;
ALTER TABLE incidents ADD COLUMN open_at_end_of_day TEXT;
-- Rooms a teacher looks after: teachers see and acknowledge worries from these rooms only.
CREATE TABLE staff_rooms (
    name TEXT NOT NULL REFERENCES staff(name),
    site TEXT NOT NULL,
    room TEXT NOT NULL,
    PRIMARY KEY (name, site, room)
);
