-- +goose Up
-- The duplicate-face gallery loads a merchant's new embeddings by time.
DROP INDEX face_embeddings_merchant;
CREATE INDEX face_embeddings_merchant_created ON face_embeddings (merchant_id, created_at);

-- +goose Down
DROP INDEX face_embeddings_merchant_created;
CREATE INDEX face_embeddings_merchant ON face_embeddings (merchant_id);
