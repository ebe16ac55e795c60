-- +goose Up
-- Compliance staff of the review console, separate from merchants' API keys.
CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- The merchants a reviewer or auditor may see (admins see all).
CREATE TABLE staff_merchants (
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    PRIMARY KEY (staff_id, merchant_id)
);

-- +goose Down
DROP TABLE staff_merchants;
DROP TABLE staff;
