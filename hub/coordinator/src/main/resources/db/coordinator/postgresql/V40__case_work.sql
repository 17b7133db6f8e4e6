-- PostgreSQL twin of ../sqlite/V40__case_work.sql (docs/CASEWORK.md).
ALTER TABLE incidents ADD COLUMN about TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN illegal TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN logged_by TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN summary TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN assigned_to TEXT COLLATE "C";
ALTER TABLE incidents ADD COLUMN case_number TEXT COLLATE "C";
CREATE UNIQUE INDEX incidents_case_number ON incidents(case_number);

-- Numbers are taken in the transaction that opens the incident: a rollback gives the number back, no gaps.
CREATE TABLE case_numbers (
    year TEXT   COLLATE "C" PRIMARY KEY,
    last BIGINT NOT NULL
);
UPDATE incidents SET case_number = substr(opened_at, 1, 4) || '-' || lpad(
    (SELECT count(*) FROM incidents i2 WHERE substr(i2.opened_at, 1, 4) = substr(incidents.opened_at, 1, 4) AND i2.id <= incidents.id)::text, 4, '0');
INSERT INTO case_numbers(year, last) SELECT substr(opened_at, 1, 4), count(*) FROM incidents GROUP BY 1;

-- Notes are never changed or removed; a correction is a new note naming the one it corrects.
CREATE TABLE case_notes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    at          TEXT   COLLATE "C" NOT NULL,
    by_name     TEXT   COLLATE "C" NOT NULL,
    text        TEXT   COLLATE "C" NOT NULL,
    corrects    BIGINT REFERENCES case_notes(id)
);
CREATE INDEX case_notes_incident ON case_notes(incident_id);
CREATE FUNCTION case_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case notes are append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes FOR EACH ROW EXECUTE FUNCTION case_notes_append_only();
CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes FOR EACH ROW EXECUTE FUNCTION case_notes_append_only();
CREATE TRIGGER case_notes_no_truncate BEFORE TRUNCATE ON case_notes FOR EACH STATEMENT EXECUTE FUNCTION case_notes_append_only();

CREATE TABLE case_actions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  BIGINT NOT NULL,
    kind         TEXT   COLLATE "C" NOT NULL,
    reference    TEXT   COLLATE "C",
    due          TEXT   COLLATE "C" NOT NULL,
    created_at   TEXT   COLLATE "C" NOT NULL,
    created_by   TEXT   COLLATE "C" NOT NULL,
    done_at      TEXT   COLLATE "C",
    done_by      TEXT   COLLATE "C",
    overdue_at   TEXT   COLLATE "C"
);
CREATE INDEX case_actions_open ON case_actions(done_at, due);
