-- +goose Up
-- Review console sessions: only the sha256 of the cookie's token is stored.
CREATE TABLE staff_sessions (
    token_hash   TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff(id),
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
-- Who works a case in review, so two reviewers do not work one case.
CREATE TABLE review_claims (
    verification_id TEXT PRIMARY KEY REFERENCES verifications(id),
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    staff_id        TEXT NOT NULL REFERENCES staff(id),
    assigned_by     TEXT NOT NULL,
    claimed_at      INTEGER NOT NULL
);
-- Four-eyes: a decision proposed by one reviewer, waiting for a second.
CREATE TABLE decision_proposals (
    verification_id TEXT PRIMARY KEY REFERENCES verifications(id),
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    decision        TEXT NOT NULL,
    reject_type     TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    user_message    TEXT NOT NULL,
    internal_note   BLOB,
    proposed_by     TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
-- Per-merchant review rules: four_eyes is off, final (final rejections need
-- a second reviewer) or all (every decision does).
CREATE TABLE review_settings (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants(id),
    four_eyes   TEXT NOT NULL,
    sla_hours   INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- The queue: cases of a state in the order they entered it, per merchant.
CREATE INDEX verifications_queue ON verifications (merchant_id, state, updated_at);
CREATE INDEX verifications_queue_all ON verifications (state, updated_at);
-- A case's audit trail is read by subject.
CREATE INDEX audit_entries_subject ON audit_entries (merchant_id, subject_id);
-- The console's delivery log shows the start of the receiver's answer.
ALTER TABLE webhook_deliveries ADD COLUMN response_preview TEXT NOT NULL DEFAULT '';
CREATE INDEX webhook_deliveries_merchant ON webhook_deliveries (merchant_id, id);

-- +goose Down
DROP INDEX webhook_deliveries_merchant;
ALTER TABLE webhook_deliveries DROP COLUMN response_preview;
DROP INDEX audit_entries_subject;
DROP INDEX verifications_queue_all;
DROP INDEX verifications_queue;
DROP TABLE review_settings;
DROP TABLE decision_proposals;
DROP TABLE review_claims;
DROP TABLE staff_sessions;
