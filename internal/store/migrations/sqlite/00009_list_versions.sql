-- +goose Up
-- Every list version a process loaded, once per content: what was in force
-- when (compliance evidence, and the console's list history).
CREATE TABLE list_versions (
    list            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    published       INTEGER NOT NULL,
    entries         INTEGER NOT NULL,
    people          INTEGER NOT NULL,
    names           INTEGER NOT NULL,
    first_loaded_at INTEGER NOT NULL,
    PRIMARY KEY (list, sha256)
);
CREATE INDEX list_versions_loaded ON list_versions (first_loaded_at);

-- +goose Down
DROP TABLE list_versions;
