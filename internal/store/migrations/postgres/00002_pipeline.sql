-- +goose Up
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT NOT NULL,
    locked_by    TEXT NOT NULL,
    locked_until BIGINT NOT NULL,
    last_error   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_claim ON jobs (kind, state, run_at);
CREATE INDEX jobs_lease ON jobs (kind, state, locked_until);

CREATE TABLE levels (
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, name)
);

CREATE TABLE blocklist_entries (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    kind        TEXT NOT NULL,
    value_hash  TEXT NOT NULL,
    value       BYTEA NOT NULL,
    note        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (merchant_id, kind, value_hash)
);

CREATE TABLE webhook_endpoints (
    id             TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants(id),
    url            TEXT NOT NULL,
    events         TEXT NOT NULL,
    secret         BYTEA NOT NULL,
    old_secret     BYTEA,
    old_secret_until BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    deleted_at     BIGINT
);
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints (merchant_id, id);

CREATE TABLE webhook_deliveries (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    endpoint_id TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL,
    duration_us BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (merchant_id, endpoint_id, id);

ALTER TABLE verifications ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE decisions ADD COLUMN level_version INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE decisions DROP COLUMN level_version;
ALTER TABLE verifications DROP COLUMN attempt;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE blocklist_entries;
DROP TABLE levels;
DROP TABLE jobs;
