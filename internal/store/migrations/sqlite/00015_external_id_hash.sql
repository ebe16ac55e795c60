-- +goose Up
-- The merchant's key of a user (external_user_id, PayCools and Vexora
-- userId, the e-mail address of KYC Sharing and card binding) is personal
-- data: it is kept sealed inside the applicant's pii, and looked up by its
-- keyed hash, scoped by merchant and surface, which takes over uniqueness.
-- The old column stays (SQLite cannot drop its UNIQUE constraint without
-- rebuilding the table): it holds the applicant's own id, or
-- "erased:<id>" on a tombstone. Rows written before this migration are
-- hashed and sealed by the application at its next start (their hash is ''
-- until then); a purge clears the hash.
ALTER TABLE applicants ADD COLUMN external_user_id_hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX applicants_external_id ON applicants (merchant_id, surface, external_user_id_hash)
    WHERE external_user_id_hash <> '';
CREATE INDEX applicants_external_id_unsealed ON applicants (id)
    WHERE external_user_id_hash = '' AND erased_at IS NULL;

-- +goose Down
-- The sealed external ids are not put back in clear: run the previous
-- version only on a database that never ran this one.
DROP INDEX applicants_external_id_unsealed;
DROP INDEX applicants_external_id;
ALTER TABLE applicants DROP COLUMN external_user_id_hash;
