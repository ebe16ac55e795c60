// Package jobs runs durable background work on the store's jobs table: a
// transactional queue (a job is visible only if the change that enqueued it
// commits), leased to workers with a timeout per kind, retried with capped
// exponential backoff (or a kind's own schedule) and marked dead when its
// attempts are spent. On PostgreSQL any number of worker processes claim jobs
// with FOR UPDATE SKIP LOCKED; on SQLite one process runs them.
//
// Delivery is at least once: a job whose worker dies is leased again when its
// lease runs out, so handlers must be idempotent.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/tracing"
)

// Job is the job handed to a handler.
type Job = store.Job

// Kind describes one kind of job and how to run it.
type Kind struct {
	Name    string
	Timeout time.Duration // lease and context deadline of one attempt
	// MaxAttempts is how many attempts a job of the kind gets (default 10):
	// the one place the limit is set; the worker reads it at each failure.
	MaxAttempts int
	// Backoff returns the wait before the next attempt after `attempt`
	// attempts (1-based); nil means capped exponential backoff.
	Backoff func(attempt int) time.Duration
	Handle  func(ctx context.Context, j Job) error
}

// Permanent wraps an error that retrying cannot fix: the job goes dead at once.
func Permanent(err error) error { return permanentError{err} }

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// ExponentialBackoff is 2^attempt seconds, with ±25% jitter, capped at max.
func ExponentialBackoff(max time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := time.Duration(math.Pow(2, float64(min(attempt, 30)))) * time.Second
		if d > max {
			d = max
		}
		var b [1]byte
		_, _ = rand.Read(b[:])
		jitter := time.Duration(float64(d) * (float64(b[0])/255*0.5 - 0.25))
		return d + jitter
	}
}

// Config configures a worker.
type Config struct {
	Concurrency int           // jobs run at once (default 8)
	Poll        time.Duration // how often to look for due jobs (default 250ms)
	Now         func() time.Time
	// Tracer traces each run as a child of the span that enqueued the job
	// (nil: no spans).
	Tracer *tracing.Provider
}

// Worker claims and runs jobs.
type Worker struct {
	store *store.Store
	kinds []Kind
	cfg   Config
	id    string
	log   *slog.Logger
	wake  chan struct{}
	slots chan struct{}
}

// NewWorker returns a worker for the given kinds.
func NewWorker(s *store.Store, log *slog.Logger, cfg Config, kinds ...Kind) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	for i := range kinds {
		if kinds[i].Timeout <= 0 {
			kinds[i].Timeout = time.Minute
		}
		if kinds[i].MaxAttempts <= 0 {
			kinds[i].MaxAttempts = 10
		}
		if kinds[i].Backoff == nil {
			kinds[i].Backoff = ExponentialBackoff(time.Hour)
		}
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &Worker{store: s, kinds: kinds, cfg: cfg, id: "wrk_" + hex.EncodeToString(b), log: log,
		wake: make(chan struct{}, 1), slots: make(chan struct{}, cfg.Concurrency)}
}

// Wake makes the worker look for jobs now (after an in-process enqueue).
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs until ctx ends, then waits for running jobs.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		claimed := 0
		for _, k := range w.kinds {
			free := w.cfg.Concurrency - len(w.slots)
			if free <= 0 {
				break
			}
			jobs, err := w.store.ClaimJobs(ctx, k.Name, w.id, w.cfg.Now(), k.Timeout+5*time.Second, free)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				w.log.Error("claim jobs failed", "kind", k.Name, "error", err)
				continue
			}
			for _, j := range jobs {
				claimed++
				w.slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer w.Wake() // a slot is free: look for more work now
					defer func() { <-w.slots }()
					w.run(ctx, k, j)
				}()
			}
		}
		if claimed > 0 && len(w.slots) < w.cfg.Concurrency {
			continue // there may be more due
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

type deferredKey struct{}

// Defer registers, from a job handler, a write to run in the same transaction
// that records the job's outcome (done or failed): one transaction less per
// job, and the write lands exactly when the outcome does. Outside a handler
// it does nothing.
func Defer(ctx context.Context, fn store.TxFunc) {
	if d, ok := ctx.Value(deferredKey{}).(*[]store.TxFunc); ok {
		*d = append(*d, fn)
	}
}

func (w *Worker) run(ctx context.Context, k Kind, j Job) {
	var deferred []store.TxFunc
	jctx, cancel := context.WithTimeout(context.WithValue(context.WithoutCancel(ctx), deferredKey{}, &deferred), k.Timeout)
	defer cancel()
	if tp := w.cfg.Tracer; tp.Enabled() {
		var span trace.Span
		jctx, span = tp.Tracer().Start(tracing.WithParent(jctx, j.TraceParent), "job "+k.Name, trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(attribute.String("openkyc.job.id", j.ID), attribute.String("openkyc.job.kind", j.Kind), attribute.Int("openkyc.job.attempt", j.Attempts)))
		jctx = tp.WithMerchantAttribute(jctx)
		tracing.NoteMerchant(jctx, j.MerchantID)
		defer span.End() // after the outcome commits
	}
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return k.Handle(jctx, j)
	}()
	if err != nil {
		trace.SpanFromContext(jctx).SetStatus(codes.Error, "job attempt failed")
	}
	now := w.cfg.Now()
	// the outcome and the handler's deferred writes commit in the job's
	// span: jobs they enqueue continue its trace
	bg := context.WithoutCancel(jctx)
	if err == nil {
		if _, ferr := w.store.FinishJob(bg, j.ID, w.id, now, deferred...); ferr != nil {
			w.log.Error("finish job failed", "job_id", j.ID, "error", ferr)
		}
		return
	}
	var retryAt time.Time
	var perm permanentError
	if j.Attempts < k.MaxAttempts && !errors.As(err, &perm) {
		retryAt = now.Add(k.Backoff(j.Attempts))
	}
	w.log.WarnContext(jctx, "job attempt failed", "job_id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "dead", retryAt.IsZero(), "error", err.Error())
	if ferr := w.store.FailJob(bg, j.ID, w.id, err.Error(), now, retryAt, deferred...); ferr != nil {
		w.log.Error("record job failure failed", "job_id", j.ID, "error", ferr)
	}
}
