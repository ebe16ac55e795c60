-- +goose Up
-- What a phone appended after a JPEG's end and the upload removed (further
-- images, a motion photo's video, Samsung's trailer, padding): the kinds,
-- comma-separated in file order, the byte count and the SHA-256 of the
-- removed bytes. The bytes themselves are not kept. '' / 0 / '': nothing
-- was removed (every document stored before this migration).
ALTER TABLE documents ADD COLUMN trailer_kinds TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN trailer_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN trailer_sha256 TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE documents DROP COLUMN trailer_sha256;
ALTER TABLE documents DROP COLUMN trailer_size;
ALTER TABLE documents DROP COLUMN trailer_kinds;
