-- +goose Up
-- The master key version that wraps each data key (rotation re-wraps).
ALTER TABLE data_keys ADD COLUMN master_version INTEGER NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE data_keys DROP COLUMN master_version;
