-- Published Acceptable Use Policies, one row per version (kept: the record of what pupils were shown).
CREATE TABLE aups (
    key_stage    TEXT    COLLATE "C" NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT    COLLATE "C" NOT NULL,
    markdown     TEXT    COLLATE "C" NOT NULL,
    published_at TEXT    COLLATE "C" NOT NULL,
    published_by TEXT    COLLATE "C" NOT NULL,
    PRIMARY KEY (key_stage, version)
);
