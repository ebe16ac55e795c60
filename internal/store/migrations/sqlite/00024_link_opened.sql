-- +goose Up
-- When the end user first opened a hosted link (the analytics funnel's
-- "links opened").
ALTER TABLE hosted_links ADD COLUMN opened_at INTEGER;

-- +goose Down
ALTER TABLE hosted_links DROP COLUMN opened_at;
