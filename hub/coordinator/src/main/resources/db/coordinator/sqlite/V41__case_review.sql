-- The guided record of suspected illegal content (docs/CASEWORK.md): "more than one senior member of staff
-- involved", each recording their own part; and attachments, stored once by their SHA-256. All append-only.
CREATE TABLE case_review_parts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    by_name     TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    computer    TEXT    NOT NULL,
    urls        TEXT    NOT NULL,
    nature      TEXT    NOT NULL,
    judgement   TEXT    NOT NULL,
    actions     TEXT    NOT NULL
);
CREATE INDEX case_review_parts_incident ON case_review_parts(incident_id);
CREATE TRIGGER case_review_parts_no_update BEFORE UPDATE ON case_review_parts BEGIN SELECT RAISE(ABORT, 'review parts are append-only'); END;
CREATE TRIGGER case_review_parts_no_delete BEFORE DELETE ON case_review_parts BEGIN SELECT RAISE(ABORT, 'review parts are append-only'); END;

CREATE TABLE case_attachments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    by_name     TEXT    NOT NULL
);
CREATE INDEX case_attachments_incident ON case_attachments(incident_id);
CREATE TRIGGER case_attachments_no_update BEFORE UPDATE ON case_attachments BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
CREATE TRIGGER case_attachments_no_delete BEFORE DELETE ON case_attachments BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;

-- Content-addressed: the key is the SHA-256 of the bytes, so the same file is kept once and a changed byte is a different file.
CREATE TABLE attachment_blobs (
    sha256  TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
CREATE TRIGGER attachment_blobs_no_update BEFORE UPDATE ON attachment_blobs BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
CREATE TRIGGER attachment_blobs_no_delete BEFORE DELETE ON attachment_blobs BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
