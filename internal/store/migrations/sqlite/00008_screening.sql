-- +goose Up
-- Screening hits a reviewer dismissed, per applicant and list entry: they do
-- not alert again unless the entry changes (entry_hash).
CREATE TABLE screening_dismissals (
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    applicant_id TEXT NOT NULL,
    list         TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    entry_hash   TEXT NOT NULL,
    dismissed_by TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, applicant_id, list, entry_id)
);
-- Alerts of continuous monitoring: one per applicant, list entry and entry
-- content, so a re-screen of an unchanged list alerts once.
CREATE TABLE screening_alerts (
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    applicant_id    TEXT NOT NULL,
    list            TEXT NOT NULL,
    entry_id        TEXT NOT NULL,
    entry_hash      TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    score           REAL NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, applicant_id, list, entry_id, entry_hash)
);

-- +goose Down
DROP TABLE screening_alerts;
DROP TABLE screening_dismissals;
