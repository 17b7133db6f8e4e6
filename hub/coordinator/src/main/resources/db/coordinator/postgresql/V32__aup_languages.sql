-- An AUP per key stage AND language (docs/KIOSK.md): versions count per key stage and language, so the key
-- grows a column; every earlier version is kept as English.
ALTER TABLE aups ADD COLUMN language TEXT COLLATE "C" NOT NULL DEFAULT 'en';
ALTER TABLE aups DROP CONSTRAINT aups_pkey;
ALTER TABLE aups ADD PRIMARY KEY (key_stage, language, version);
