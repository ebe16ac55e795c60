-- +goose Up
-- Counters of the console's analytics, per merchant, UTC day (days since
-- 1970-01-01), level and surface, written in the transaction of the change
-- they count. A few shards per key keep concurrent writers of one merchant
-- from queueing on one row; readers sum them.
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
CREATE INDEX analytics_counts_day ON analytics_counts (day, metric);

-- +goose Down
DROP TABLE analytics_counts;
