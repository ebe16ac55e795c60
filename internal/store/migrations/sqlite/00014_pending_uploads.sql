-- +goose Up
-- An upload is recorded here before its bytes reach the blob store and
-- removed in the transaction that records its document: a row older than
-- any upload can take names a blob that a crash left behind, and the
-- reaper deletes it.
CREATE TABLE pending_uploads (
    blob_key     TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL,
    applicant_id TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX pending_uploads_created ON pending_uploads (created_at);

-- +goose Down
DROP TABLE pending_uploads;
