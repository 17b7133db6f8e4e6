-- An AUP per key stage AND language (docs/KIOSK.md): versions count per key stage and language, so the key
-- grows a column. SQLite cannot change a primary key in place: the table is rebuilt, every version kept
-- (what pupils were shown is part of the record), the old ones as English.
CREATE TABLE aups_by_language (
    key_stage    TEXT NOT NULL,
    language     TEXT NOT NULL DEFAULT 'en',
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    markdown     TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (key_stage, language, version)
);
INSERT INTO aups_by_language(key_stage, language, version, title, markdown, published_at, published_by)
    SELECT key_stage, 'en', version, title, markdown, published_at, published_by FROM aups;
DROP TABLE aups;
ALTER TABLE aups_by_language RENAME TO aups;
