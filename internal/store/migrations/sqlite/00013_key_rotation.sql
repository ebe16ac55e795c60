-- +goose Up
-- The master key version that wraps each data key (rotation re-wraps).
ALTER TABLE data_keys ADD COLUMN master_version INTEGER NOT NULL DEFAULT 1;
-- A rotated dialect secret keeps working until old_secret_until.
ALTER TABLE dialect_credentials ADD COLUMN old_secret BLOB;
ALTER TABLE dialect_credentials ADD COLUMN old_secret_until INTEGER NOT NULL DEFAULT 0;
-- A platform key pair staged for the next rotation (card binding, PayCools):
-- merchants install its public key before it signs.
ALTER TABLE dialect_credentials ADD COLUMN next_secret BLOB;
-- A replaced merchant public key (card binding, PayCools) keeps verifying
-- requests until old_public_key_until.
ALTER TABLE dialect_settings ADD COLUMN old_public_key TEXT NOT NULL DEFAULT '';
ALTER TABLE dialect_settings ADD COLUMN old_public_key_until INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE dialect_settings DROP COLUMN old_public_key_until;
ALTER TABLE dialect_settings DROP COLUMN old_public_key;
ALTER TABLE dialect_credentials DROP COLUMN next_secret;
ALTER TABLE dialect_credentials DROP COLUMN old_secret_until;
ALTER TABLE dialect_credentials DROP COLUMN old_secret;
ALTER TABLE data_keys DROP COLUMN master_version;
