-- +goose Up
CREATE TABLE merchants (
    id          TEXT PRIMARY KEY,
    merchant_no TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    kind        TEXT NOT NULL,
    lookup      TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX credentials_merchant ON credentials (merchant_id);

CREATE TABLE data_keys (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    wrapped    BLOB NOT NULL,
    active     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE applicants (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants(id),
    surface          TEXT NOT NULL,
    external_user_id TEXT NOT NULL,
    pii              BLOB NOT NULL,
    doc_number_hash  TEXT NOT NULL,
    email_hash       TEXT NOT NULL,
    phone_hash       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (merchant_id, surface, external_user_id)
);
CREATE INDEX applicants_doc_number ON applicants (merchant_id, doc_number_hash);
CREATE INDEX applicants_email ON applicants (merchant_id, email_hash);
CREATE INDEX applicants_phone ON applicants (merchant_id, phone_hash);

CREATE TABLE verifications (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants(id),
    applicant_id  TEXT NOT NULL REFERENCES applicants(id),
    surface       TEXT NOT NULL,
    reference     TEXT NOT NULL,
    level         TEXT NOT NULL,
    state         TEXT NOT NULL,
    decision      TEXT NOT NULL,
    reject_type   TEXT NOT NULL,
    reasons       TEXT NOT NULL,
    user_message  TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (merchant_id, surface, reference)
);
CREATE INDEX verifications_list ON verifications (merchant_id, id);
CREATE INDEX verifications_state ON verifications (merchant_id, state, id);
CREATE INDEX verifications_applicant ON verifications (applicant_id);

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    applicant_id TEXT NOT NULL REFERENCES applicants(id),
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX documents_applicant ON documents (merchant_id, applicant_id, id);

CREATE TABLE checks (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    verification_id TEXT NOT NULL REFERENCES verifications(id),
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    score           REAL NOT NULL,
    reason_code     TEXT NOT NULL,
    evidence        TEXT NOT NULL,
    engine_version  TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX checks_verification ON checks (verification_id, id);

CREATE TABLE decisions (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    verification_id TEXT NOT NULL REFERENCES verifications(id),
    decision        TEXT NOT NULL,
    reject_type     TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    user_message    TEXT NOT NULL,
    internal_note   BLOB,
    decided_by      TEXT NOT NULL,
    check_ids       TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX decisions_verification ON decisions (verification_id);

CREATE TABLE audit_heads (
    merchant_id TEXT PRIMARY KEY REFERENCES merchants(id),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL
);

CREATE TABLE audit_entries (
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    seq          INTEGER NOT NULL,
    id           TEXT NOT NULL UNIQUE,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    data         TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (merchant_id, seq)
);

CREATE TABLE outbox_events (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    type         TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox_events (delivered_at, id);
CREATE INDEX outbox_merchant ON outbox_events (merchant_id, id);

CREATE TABLE idempotency_keys (
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    key          TEXT NOT NULL,
    route        TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE outbox_events;
DROP TABLE audit_entries;
DROP TABLE audit_heads;
DROP TABLE decisions;
DROP TABLE checks;
DROP TABLE documents;
DROP TABLE verifications;
DROP TABLE applicants;
DROP TABLE data_keys;
DROP TABLE credentials;
DROP TABLE merchants;
