-- Published Acceptable Use Policies, one row per version (kept: the record of what pupils were shown).
CREATE TABLE aups (
    key_stage    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    markdown     TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (key_stage, version)
);
