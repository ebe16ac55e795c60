-- +goose Up
-- The country of a verification's document as declared when it was created
-- (the applicant's document country, else nationality; '' when neither):
-- the analytics page filters by it. A country alone is kept in clear, like
-- the level and surface: it names no one.
ALTER TABLE verifications ADD COLUMN country TEXT NOT NULL DEFAULT '';
-- Counters by country: the pages filtered by country (with the period and
-- merchants; not with a level or surface, which would multiply the rows by
-- theirs). Counters written before it are of an unknown country ('').
CREATE TABLE analytics_countries (
    merchant_id TEXT NOT NULL,
    day         INTEGER NOT NULL,
    country     TEXT NOT NULL,
    metric      TEXT NOT NULL,
    shard       INTEGER NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, day, country, metric, shard)
);
CREATE INDEX analytics_countries_filter ON analytics_countries (country, day, metric, n);
-- Each table answers two reads by an index alone: a period's totals (the
-- days around its blocks: every metric of a few days) and the daily series
-- (a few metrics of every day).
CREATE INDEX analytics_countries_series ON analytics_countries (metric, country, day, n);
CREATE INDEX analytics_counts_series ON analytics_counts (metric, level, surface, day, n);
CREATE INDEX analytics_daily_days ON analytics_daily (day, metric, merchant_id, n);
INSERT INTO analytics_countries (merchant_id, day, country, metric, shard, n)
    SELECT merchant_id, day, '', metric, shard, SUM(n) FROM analytics_counts WHERE level <> '' OR surface <> ''
    GROUP BY merchant_id, day, metric, shard;
-- Blocks: the sums of each counter table over aligned runs of days (4, 16,
-- 64 and 256 days from day 0), built by the housekeeping once every day of
-- the run is past, so a long period sums a few blocks instead of every day.
-- analytics_blocks lists the blocks built; a counter written later into one
-- of their days removes them until they are built again.
CREATE TABLE analytics_blocks (
    days      INTEGER NOT NULL,
    first_day INTEGER NOT NULL,
    built_at  BIGINT NOT NULL,
    PRIMARY KEY (days, first_day)
);
CREATE TABLE analytics_daily_blocks (
    days        INTEGER NOT NULL,
    first_day   INTEGER NOT NULL,
    merchant_id TEXT NOT NULL,
    metric      TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (days, first_day, merchant_id, metric)
);
CREATE TABLE analytics_counts_blocks (
    days        INTEGER NOT NULL,
    first_day   INTEGER NOT NULL,
    level       TEXT NOT NULL,
    surface     TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    metric      TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (days, first_day, level, surface, merchant_id, metric)
);
CREATE TABLE analytics_countries_blocks (
    days        INTEGER NOT NULL,
    first_day   INTEGER NOT NULL,
    country     TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    metric      TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (days, first_day, country, merchant_id, metric)
);

-- +goose Down
DROP INDEX analytics_daily_days;
DROP INDEX analytics_counts_series;
DROP TABLE analytics_countries_blocks;
DROP TABLE analytics_counts_blocks;
DROP TABLE analytics_daily_blocks;
DROP TABLE analytics_blocks;
DROP TABLE analytics_countries;
ALTER TABLE verifications DROP COLUMN country;
