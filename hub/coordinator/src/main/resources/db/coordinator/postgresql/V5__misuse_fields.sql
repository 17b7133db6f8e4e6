-- The policy's fields for misuse (the URL and a description of the nature of the content, never the
-- content itself), the DSL's notes, escalation and the end-of-day flag.
ALTER TABLE incidents ADD COLUMN notes TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN url TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN nature TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN escalated_at TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN open_at_end_of_day TEXT COLLATE "C";
-- Rooms a teacher looks after: teachers see and acknowledge worries from these rooms only.
CREATE TABLE staff_rooms (
    name TEXT COLLATE "C" NOT NULL REFERENCES staff(name),
    site TEXT COLLATE "C" NOT NULL,
    room TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (name, site, room)
);
