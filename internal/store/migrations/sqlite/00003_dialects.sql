-- +goose Up
CREATE TABLE dialect_credentials (
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    dialect     TEXT NOT NULL,
    app_id      TEXT NOT NULL,
    secret      BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, dialect),
    UNIQUE (dialect, app_id)
);

ALTER TABLE verifications ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE verifications DROP COLUMN callback_url;
DROP TABLE dialect_credentials;
