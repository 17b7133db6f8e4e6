-- Case work (docs/CASEWORK.md). Concerns logged by staff are incidents with source 'concern': who the
-- concern is about routes it (Visibility), whether illegal content is suspected guides its review.
ALTER TABLE incidents ADD COLUMN about TEXT;
ALTER TABLE incidents ADD COLUMN illegal TEXT;
ALTER TABLE incidents ADD COLUMN logged_by TEXT;
ALTER TABLE incidents ADD COLUMN summary TEXT;
ALTER TABLE incidents ADD COLUMN assigned_to TEXT;
ALTER TABLE incidents ADD COLUMN case_number TEXT;
CREATE UNIQUE INDEX incidents_case_number ON incidents(case_number);

-- The last case number given in each year: numbers are taken in the transaction that opens the incident,
-- so a rolled-back opening gives its number back and the year's numbers have no gaps.
CREATE TABLE case_numbers (
    year TEXT    PRIMARY KEY,
    last INTEGER NOT NULL
);
-- Incidents opened before case numbers existed get theirs now, in the order they were opened.
UPDATE incidents SET case_number = substr(opened_at, 1, 4) || '-' || printf('%04d',
    (SELECT count(*) FROM incidents i2 WHERE substr(i2.opened_at, 1, 4) = substr(incidents.opened_at, 1, 4) AND i2.id <= incidents.id));
INSERT INTO case_numbers(year, last) SELECT substr(opened_at, 1, 4), count(*) FROM incidents GROUP BY 1;

-- "Maintains a log of online safety incidents along with any follow up": notes are never changed or
-- removed; a correction is a new note naming the one it corrects.
CREATE TABLE case_notes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    by_name     TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    corrects    INTEGER REFERENCES case_notes(id)
);
CREATE INDEX case_notes_incident ON case_notes(incident_id);
CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes BEGIN SELECT RAISE(ABORT, 'case notes are append-only'); END;
CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes BEGIN SELECT RAISE(ABORT, 'case notes are append-only'); END;

-- No foreign key to incidents: the retention purge deletes closed incidents, while notes, like events,
-- are append-only and leave only with an archived database (docs/CASEWORK.md).
-- Follow-up actions (a referral, parents informed, ...) with a due time; done once.
CREATE TABLE case_actions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    reference    TEXT,
    due          TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    done_at      TEXT,
    done_by      TEXT,
    overdue_at   TEXT
);
CREATE INDEX case_actions_open ON case_actions(done_at, due);
