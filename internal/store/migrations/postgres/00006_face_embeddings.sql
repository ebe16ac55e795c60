-- +goose Up
-- Face embeddings of selfies, sealed (AES-GCM, bound to the document), for
-- the duplicate-face search within a merchant.
CREATE TABLE face_embeddings (
    document_id  TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    applicant_id TEXT NOT NULL,
    embedding    BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX face_embeddings_merchant ON face_embeddings (merchant_id);

-- +goose Down
DROP TABLE face_embeddings;
