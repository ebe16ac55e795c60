-- +goose Up
-- Erasure: a deleted applicant waits until purge_after (the restore window),
-- then its documents, biometrics and PII are purged, leaving a tombstone.
ALTER TABLE applicants ADD COLUMN deleted_at INTEGER;
ALTER TABLE applicants ADD COLUMN purge_after INTEGER;
ALTER TABLE applicants ADD COLUMN erased_at INTEGER;
ALTER TABLE applicants ADD COLUMN documents_erased_at INTEGER;
CREATE INDEX applicants_purge ON applicants (purge_after);
CREATE INDEX applicants_retention ON applicants (merchant_id, updated_at);
CREATE INDEX face_embeddings_applicant ON face_embeddings (merchant_id, applicant_id);
-- Retention per merchant, in days after the last decision (0: keep).
CREATE TABLE retention_settings (
    merchant_id    TEXT PRIMARY KEY REFERENCES merchants(id),
    documents_days INTEGER NOT NULL,
    pii_days       INTEGER NOT NULL,
    restore_days   INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
-- Stored replies of Idempotency-Key requests are sealed; the applicant they
-- are about is kept so that an erasure removes them.
ALTER TABLE idempotency_keys ADD COLUMN subject_id TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_keys_subject ON idempotency_keys (merchant_id, subject_id);

-- +goose Down
DROP INDEX idempotency_keys_subject;
ALTER TABLE idempotency_keys DROP COLUMN subject_id;
DROP TABLE retention_settings;
DROP INDEX face_embeddings_applicant;
DROP INDEX applicants_retention;
DROP INDEX applicants_purge;
ALTER TABLE applicants DROP COLUMN documents_erased_at;
ALTER TABLE applicants DROP COLUMN erased_at;
ALTER TABLE applicants DROP COLUMN purge_after;
ALTER TABLE applicants DROP COLUMN deleted_at;
