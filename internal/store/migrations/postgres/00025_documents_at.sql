-- +goose Up
-- When the applicant first had documents for the verification (the
-- analytics funnel's "documents uploaded"): at its creation when they were
-- uploaded before, else at the first upload while it is open.
ALTER TABLE verifications ADD COLUMN documents_at BIGINT;

-- +goose Down
ALTER TABLE verifications DROP COLUMN documents_at;
