-- PostgreSQL twin of ../sqlite/V41__case_review.sql (docs/CASEWORK.md).
CREATE TABLE case_review_parts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    at          TEXT   COLLATE "C" NOT NULL,
    by_name     TEXT   COLLATE "C" NOT NULL,
    role        TEXT   COLLATE "C" NOT NULL,
    computer    TEXT   COLLATE "C" NOT NULL,
    urls        TEXT   COLLATE "C" NOT NULL,
    nature      TEXT   COLLATE "C" NOT NULL,
    judgement   TEXT   COLLATE "C" NOT NULL,
    actions     TEXT   COLLATE "C" NOT NULL
);
CREATE INDEX case_review_parts_incident ON case_review_parts(incident_id);

CREATE TABLE case_attachments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL,
    sha256      TEXT   COLLATE "C" NOT NULL,
    media_type  TEXT   COLLATE "C" NOT NULL,
    size        BIGINT NOT NULL,
    at          TEXT   COLLATE "C" NOT NULL,
    by_name     TEXT   COLLATE "C" NOT NULL
);
CREATE INDEX case_attachments_incident ON case_attachments(incident_id);

CREATE TABLE attachment_blobs (
    sha256  TEXT  COLLATE "C" PRIMARY KEY,
    content BYTEA NOT NULL
);

CREATE FUNCTION case_evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case evidence is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER case_review_parts_no_update BEFORE UPDATE ON case_review_parts FOR EACH ROW EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER case_review_parts_no_delete BEFORE DELETE ON case_review_parts FOR EACH ROW EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER case_review_parts_no_truncate BEFORE TRUNCATE ON case_review_parts FOR EACH STATEMENT EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER case_attachments_no_update BEFORE UPDATE ON case_attachments FOR EACH ROW EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER case_attachments_no_delete BEFORE DELETE ON case_attachments FOR EACH ROW EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER case_attachments_no_truncate BEFORE TRUNCATE ON case_attachments FOR EACH STATEMENT EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER attachment_blobs_no_update BEFORE UPDATE ON attachment_blobs FOR EACH ROW EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER attachment_blobs_no_delete BEFORE DELETE ON attachment_blobs FOR EACH ROW EXECUTE FUNCTION case_evidence_append_only();
CREATE TRIGGER attachment_blobs_no_truncate BEFORE TRUNCATE ON attachment_blobs FOR EACH STATEMENT EXECUTE FUNCTION case_evidence_append_only();
