-- +goose Up
-- Counters of the console's analytics, written in the transaction of the
-- change they count: per merchant, UTC day (days since 1970-01-01), level
-- and surface in analytics_counts (for pages filtered by level or surface),
-- and per merchant and day only in analytics_daily (every other page: a
-- fraction of the rows). A few shards per counter keep concurrent writers
-- of one merchant from queueing on one row (PostgreSQL); readers sum them.
CREATE TABLE analytics_counts (
    merchant_id TEXT NOT NULL,
    day         INTEGER NOT NULL,
    level       TEXT NOT NULL,
    surface     TEXT NOT NULL,
    metric      TEXT NOT NULL,
    shard       INTEGER NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, day, level, surface, metric, shard)
);
CREATE INDEX analytics_counts_filter ON analytics_counts (level, surface, day, metric, n);
CREATE TABLE analytics_daily (
    merchant_id TEXT NOT NULL,
    day         INTEGER NOT NULL,
    metric      TEXT NOT NULL,
    shard       INTEGER NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, day, metric, shard)
);
-- the daily series and the review backlog: a few metrics over many days
CREATE INDEX analytics_daily_metric ON analytics_daily (metric, day, merchant_id, n);

-- +goose Down
DROP TABLE analytics_daily;
DROP TABLE analytics_counts;
