-- +goose Up
-- Why a check did not run (status not_run): 'unavailable' (its engine,
-- assets or lists were missing, stale or failed) or 'not_applicable' (the
-- input had nothing for it). '' in results stored before the distinction;
-- levels count those as unavailable.
ALTER TABLE checks ADD COLUMN not_run_kind TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE checks DROP COLUMN not_run_kind;
