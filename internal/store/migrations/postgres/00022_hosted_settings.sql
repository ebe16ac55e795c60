-- +goose Up
-- A merchant's settings of the hosted page: the origins allowed to embed it
-- in an iframe (JSON array; empty: none, frame-ancestors 'none').
CREATE TABLE hosted_settings (
    merchant_id   TEXT PRIMARY KEY REFERENCES merchants(id),
    embed_origins TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE hosted_settings;
