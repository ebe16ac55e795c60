package store

import (
	"context"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/tracing"
)

// Job states.
const (
	JobAvailable = "available"
	JobRunning   = "running"
	JobDone      = "done"
	JobDead      = "dead"
)

// Job is a durable unit of background work.
type Job struct {
	ID          string
	Kind        string
	MerchantID  string
	SubjectID   string
	Payload     []byte
	State       string
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LockedBy    string
	LockedUntil time.Time
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// TraceParent is the W3C traceparent of the span that enqueued the job
	// (InsertJob takes it from its context when empty).
	TraceParent string
}

// InsertJob enqueues a job in the caller's transaction, so it becomes visible
// only if the change that caused it commits. A job whose id exists is not
// inserted again (ids may be derived from what the job is about).
func (t *Tx) InsertJob(ctx context.Context, j Job) error {
	payload := string(j.Payload)
	if payload == "" {
		payload = "{}"
	}
	if j.TraceParent == "" {
		j.TraceParent = tracing.TraceParent(ctx)
	}
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO jobs (id, kind, merchant_id, subject_id, payload, state, attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at, updated_at, trace_parent)
		 VALUES ($1, $2, $3, $4, $5, 'available', 0, $6, $7, '', 0, '', $8, $8, $9) ON CONFLICT DO NOTHING`,
		j.ID, j.Kind, j.MerchantID, j.SubjectID, payload, j.MaxAttempts, micros(j.RunAt), micros(j.CreatedAt), j.TraceParent)
	if err != nil {
		return fmt.Errorf("insert job: %w", err)
	}
	t.insertedJobs = true
	return nil
}

const jobCols = `id, kind, merchant_id, subject_id, payload, state, attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at, updated_at, trace_parent`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var payload string
	var runAt, lockedUntil, c, u int64
	err := row.Scan(&j.ID, &j.Kind, &j.MerchantID, &j.SubjectID, &payload, &j.State, &j.Attempts, &j.MaxAttempts, &runAt, &j.LockedBy,
		&lockedUntil, &j.LastError, &c, &u, &j.TraceParent)
	j.Payload, j.RunAt, j.LockedUntil, j.CreatedAt, j.UpdatedAt = []byte(payload), fromMicros(runAt), fromMicros(lockedUntil), fromMicros(c), fromMicros(u)
	return j, err
}

// ClaimJobs leases up to limit due jobs of one kind to worker until
// now+lease: available jobs whose run_at has come, and running jobs whose
// lease ran out (their worker died). On PostgreSQL concurrent claimers skip
// each other's rows (FOR UPDATE SKIP LOCKED), so a job is leased to one
// worker at a time; on SQLite the write transaction is exclusive.
func (s *Store) ClaimJobs(ctx context.Context, kind, worker string, now time.Time, lease time.Duration, limit int) ([]Job, error) {
	lock := ""
	if s.engine == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []Job
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx,
			`UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2, updated_at = $3
			  WHERE id IN (SELECT id FROM jobs
			                WHERE kind = $4 AND ((state = 'available' AND run_at <= $3) OR (state = 'running' AND locked_until < $3))
			                ORDER BY run_at LIMIT $5`+lock+`)
			 RETURNING `+jobCols,
			worker, micros(now.Add(lease)), micros(now), kind, limit)
		if err != nil {
			return fmt.Errorf("claim jobs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

// TxFunc is a write done in the same transaction as a job's completion.
type TxFunc func(context.Context, *Tx) error

func runAll(ctx context.Context, tx *Tx, fns []TxFunc) error {
	for _, fn := range fns {
		if err := fn(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// FinishJob marks a job done if worker still holds it, together with the
// handler's deferred writes. It reports whether it did.
func (s *Store) FinishJob(ctx context.Context, id, worker string, now time.Time, with ...TxFunc) (bool, error) {
	var ok bool
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		ok, err = exec1(ctx, tx.tx, "finish job",
			`UPDATE jobs SET state = 'done', locked_by = '', updated_at = $1, last_error = '' WHERE id = $2 AND locked_by = $3 AND state = 'running'`,
			micros(now), id, worker)
		if err != nil {
			return err
		}
		return runAll(ctx, tx, with)
	})
	return ok, err
}

// FailJob records a failed attempt: the job runs again at retryAt, or is dead
// when retryAt is zero.
func (s *Store) FailJob(ctx context.Context, id, worker, msg string, now, retryAt time.Time, with ...TxFunc) error {
	state, runAt := JobAvailable, micros(retryAt)
	if retryAt.IsZero() {
		state, runAt = JobDead, micros(now)
	}
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx,
			`UPDATE jobs SET state = $1, run_at = $2, last_error = $3, locked_by = '', locked_until = 0, updated_at = $4
			  WHERE id = $5 AND locked_by = $6 AND state = 'running'`, state, runAt, msg, micros(now), id, worker)
		if err != nil {
			return fmt.Errorf("fail job: %w", err)
		}
		return runAll(ctx, tx, with)
	})
}

// ReleaseAllLeases makes every running job available again. Only for SQLite,
// where one process runs the workers: at its start, any lease is left over
// from a process that died.
func (s *Store) ReleaseAllLeases(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx,
			`UPDATE jobs SET state = 'available', locked_by = '', locked_until = 0, run_at = $1, updated_at = $1 WHERE state = 'running'`, micros(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// PurgeJobs deletes finished jobs (done or dead) last changed before before.
func (s *Store) PurgeJobs(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM jobs WHERE state IN ('done', 'dead') AND updated_at < $1`, micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// JobByID returns one job.
func (r reads) JobByID(ctx context.Context, id string) (Job, error) {
	j, err := scanJob(r.q.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return j, notFound(err, "job")
	}
	return j, nil
}

// JobCounts returns the number of jobs per kind and state.
func (r reads) JobCounts(ctx context.Context) (map[[2]string]int, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var k, st string
		var n int
		if err := rows.Scan(&k, &st, &n); err != nil {
			return nil, err
		}
		out[[2]string{k, st}] = n
	}
	return out, rows.Err()
}

// NextJobAt returns the earliest run_at of available jobs of the kinds, or zero.
func (r reads) NextJobAt(ctx context.Context) (time.Time, error) {
	var v *int64
	if err := r.q.QueryRowContext(ctx, `SELECT MIN(run_at) FROM jobs WHERE state = 'available'`).Scan(&v); err != nil || v == nil {
		return time.Time{}, err
	}
	return fromMicros(*v), nil
}
