-- +goose Up
-- Where a monitoring pass (one per set of list versions, run is its job
-- id) has got to: the last verification id screened and the counts so far.
-- A pass interrupted by a restart or a lost lease goes on from here, on any
-- replica.
CREATE TABLE rescreen_progress (
    run TEXT PRIMARY KEY,
    after_id TEXT NOT NULL,
    screened BIGINT NOT NULL,
    alerts BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE rescreen_progress;
