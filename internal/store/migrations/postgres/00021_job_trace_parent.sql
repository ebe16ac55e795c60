-- +goose Up
-- The W3C traceparent of the request or job that enqueued a job: its run
-- continues that trace (empty when tracing is off).
ALTER TABLE jobs ADD COLUMN trace_parent TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE jobs DROP COLUMN trace_parent;
