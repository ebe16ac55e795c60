-- +goose Up
-- Links to the hosted verification page. The token is in the URL only; the
-- database keeps its SHA-256.
CREATE TABLE hosted_links (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    verification_id TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    return_url      TEXT NOT NULL DEFAULT '',
    locale          TEXT NOT NULL DEFAULT '',
    challenge       TEXT NOT NULL DEFAULT '',
    doc_type        TEXT NOT NULL DEFAULT '',
    doc_country     TEXT NOT NULL DEFAULT '',
    expires_at      BIGINT NOT NULL,
    submitted_at    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX hosted_links_verification ON hosted_links (merchant_id, verification_id);

-- +goose Down
DROP TABLE hosted_links;
