package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/jobs"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

var quiet = slog.New(slog.NewJSONHandler(io.Discard, nil))

func openStore(t *testing.T, db kyctest.DB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Config{URL: db.URL})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(context.Background())
	require.NoError(t, err)
	return s
}

func enqueue(t *testing.T, s *store.Store, kind string, n, maxAttempts int) []string {
	t.Helper()
	var ids []string
	require.NoError(t, s.InTx(context.Background(), func(tx *store.Tx) error {
		for i := range n {
			id := kyc.NewID("job_")
			ids = append(ids, id)
			if err := tx.InsertJob(context.Background(), store.Job{ID: id, Kind: kind, MerchantID: "m", SubjectID: fmt.Sprint(i),
				MaxAttempts: maxAttempts, RunAt: time.Now(), CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	}))
	return ids
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "timed out waiting for %s", what)
		time.Sleep(10 * time.Millisecond)
	}
}

func state(t *testing.T, s *store.Store, id string) store.Job {
	j, err := s.JobByID(context.Background(), id)
	require.NoError(t, err)
	return j
}

func TestJobs(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		s := openStore(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()

		t.Run("enqueue is transactional", func(t *testing.T) {
			err := s.InTx(ctx, func(tx *store.Tx) error {
				require.NoError(t, tx.InsertJob(ctx, store.Job{ID: "job_rolled_back", Kind: "x", MaxAttempts: 1, RunAt: time.Now(), CreatedAt: time.Now()}))
				return errors.New("abort")
			})
			require.Error(t, err)
			_, err = s.JobByID(ctx, "job_rolled_back")
			require.ErrorIs(t, err, kyc.ErrNotFound)
		})

		t.Run("retries with backoff then dead", func(t *testing.T) {
			var calls atomic.Int32
			w := jobs.NewWorker(s, quiet, jobs.Config{Poll: 5 * time.Millisecond}, jobs.Kind{Name: "flaky", MaxAttempts: 3,
				Backoff: func(int) time.Duration { return 20 * time.Millisecond },
				Handle:  func(context.Context, jobs.Job) error { calls.Add(1); return errors.New("receiver down") }})
			wctx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { _ = w.Run(wctx); close(done) }()
			ids := enqueue(t, s, "flaky", 1, 99) // the kind's limit counts, not what a row says
			waitFor(t, "dead job", func() bool { return state(t, s, ids[0]).State == store.JobDead })
			stop()
			<-done
			j := state(t, s, ids[0])
			require.Equal(t, 3, j.Attempts)
			require.Equal(t, "receiver down", j.LastError)
			require.EqualValues(t, 3, calls.Load())
		})

		t.Run("permanent errors and timeouts", func(t *testing.T) {
			w := jobs.NewWorker(s, quiet, jobs.Config{Poll: 5 * time.Millisecond},
				jobs.Kind{Name: "perm", MaxAttempts: 5, Handle: func(context.Context, jobs.Job) error { return jobs.Permanent(errors.New("bad payload")) }},
				jobs.Kind{Name: "slow", MaxAttempts: 1, Timeout: 30 * time.Millisecond, Handle: func(ctx context.Context, _ jobs.Job) error {
					<-ctx.Done()
					return ctx.Err()
				}},
				jobs.Kind{Name: "panics", MaxAttempts: 1, Handle: func(context.Context, jobs.Job) error { panic("boom") }})
			wctx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { _ = w.Run(wctx); close(done) }()
			p := enqueue(t, s, "perm", 1, 5)[0]
			sl := enqueue(t, s, "slow", 1, 1)[0]
			pa := enqueue(t, s, "panics", 1, 1)[0]
			waitFor(t, "dead jobs", func() bool {
				return state(t, s, p).State == store.JobDead && state(t, s, sl).State == store.JobDead && state(t, s, pa).State == store.JobDead
			})
			stop()
			<-done
			require.Equal(t, 1, state(t, s, p).Attempts, "permanent errors are not retried")
			require.Contains(t, state(t, s, sl).LastError, "deadline")
			require.Contains(t, state(t, s, pa).LastError, "panic: boom")
		})

		t.Run("an expired lease is claimed again", func(t *testing.T) {
			id := enqueue(t, s, "lease", 1, 3)[0]
			got, err := s.ClaimJobs(ctx, "lease", "dead-worker", time.Now(), time.Millisecond, 10)
			require.NoError(t, err)
			require.Len(t, got, 1)
			time.Sleep(5 * time.Millisecond)
			ran := make(chan string, 1)
			w := jobs.NewWorker(s, quiet, jobs.Config{Poll: 5 * time.Millisecond}, jobs.Kind{Name: "lease", Handle: func(_ context.Context, j jobs.Job) error {
				ran <- j.ID
				return nil
			}})
			wctx, stop := context.WithCancel(ctx)
			defer stop()
			go func() { _ = w.Run(wctx) }()
			require.Equal(t, id, <-ran)
			waitFor(t, "done", func() bool { return state(t, s, id).State == store.JobDone })
			ok, err := s.FinishJob(ctx, id, "dead-worker", time.Now())
			require.NoError(t, err)
			require.False(t, ok, "the old worker's lease is gone")
		})
	})
}

// TestConcurrentWorkersRunEachJobOnce runs several workers (separate store
// handles, like separate processes on PostgreSQL) on one queue.
func TestConcurrentWorkersRunEachJobOnce(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		nWorkers := 3
		if db.Name == "sqlite" {
			nWorkers = 1 // one process on SQLite, with concurrency inside
		}
		first := openStore(t, db)
		ids := enqueue(t, first, "count", 300, 3)
		var mu sync.Mutex
		runs := map[string]int{}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range nWorkers {
			s := openStore(t, db)
			w := jobs.NewWorker(s, quiet, jobs.Config{Poll: 2 * time.Millisecond, Concurrency: 4}, jobs.Kind{Name: "count", Handle: func(_ context.Context, j jobs.Job) error {
				mu.Lock()
				runs[j.ID]++
				mu.Unlock()
				return nil
			}})
			wg.Add(1)
			go func() { defer wg.Done(); _ = w.Run(ctx) }()
		}
		waitFor(t, "all jobs", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(runs) == len(ids)
		})
		cancel()
		wg.Wait()
		for _, id := range ids {
			require.Equal(t, 1, runs[id], "job %s", id)
			require.Equal(t, store.JobDone, state(t, first, id).State)
		}
	})
}
