-- +goose Up
-- A merchant's settings of one dialect: the default callback URL, what
-- acknowledges a callback, and (card binding) the merchant's public key and
-- field options.
CREATE TABLE dialect_settings (
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    dialect         TEXT NOT NULL,
    callback_url    TEXT NOT NULL DEFAULT '',
    ack             TEXT NOT NULL DEFAULT '',
    public_key      TEXT NOT NULL DEFAULT '',
    allow_id_card   INTEGER NOT NULL DEFAULT 0,
    address_pattern TEXT NOT NULL DEFAULT '',
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, dialect)
);

-- Nonces seen within the timestamp window; a second use is a replay.
CREATE TABLE dialect_nonces (
    merchant_id TEXT NOT NULL,
    dialect     TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, dialect, nonce)
);
CREATE INDEX dialect_nonces_expires ON dialect_nonces (expires_at);

-- +goose Down
DROP TABLE dialect_nonces;
DROP TABLE dialect_settings;
