package screening

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// TestScheduledUpdate runs the updater against a list server on loopback
// that answers a real list, then an error, garbage and a truncated file:
// only the first installs; the others leave the installed lists as they
// were and count as failures. A held lock and fresh files skip the update.
func TestScheduledUpdate(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile(filepath.Join("testdata", "formats", "ofac_xml", "sdn.xml"))
	require.NoError(t, err)
	var answer atomic.Value
	answer.Store(good)
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write(answer.Load().([]byte))
	}))
	t.Cleanup(srv.Close)

	dir := filepath.Join(t.TempDir(), "lists")
	u := NewUpdater(dir, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	u.Sources = map[string]string{"ofac": srv.URL + "/sdn.xml"}
	ctx := context.Background()

	done, err := u.Once(ctx)
	require.NoError(t, err)
	require.True(t, done)
	installed, err := os.ReadFile(filepath.Join(dir, "sdn.xml"))
	require.NoError(t, err)
	require.Equal(t, good, installed)

	done, err = u.Once(ctx)
	require.NoError(t, err)
	require.False(t, done, "fresh files are left be")

	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "sdn.xml"), old, old))
	for name, bad := range map[string]func(){
		"failing":   func() { status.Store(http.StatusInternalServerError) },
		"garbage":   func() { status.Store(http.StatusOK); answer.Store([]byte("<html><body>maintenance</body></html>")) },
		"truncated": func() { status.Store(http.StatusOK); answer.Store(good[:len(good)/2]) },
	} {
		bad()
		done, err := u.Once(ctx)
		require.Error(t, err, name)
		require.False(t, done, name)
		still, err := os.ReadFile(filepath.Join(dir, "sdn.xml"))
		require.NoError(t, err)
		require.Equal(t, good, still, "%s: the old lists stay", name)
		_, err = os.Stat(dir + ".update.lock")
		require.ErrorIs(t, err, os.ErrNotExist, "%s: the lock is released", name)
	}

	// another replica holds the lock: this one skips
	status.Store(http.StatusOK)
	answer.Store(good)
	require.NoError(t, os.WriteFile(dir+".update.lock", nil, 0o600))
	done, err = u.Once(ctx)
	require.NoError(t, err)
	require.False(t, done)
	require.NoError(t, os.Remove(dir+".update.lock"))

	// the schedule: a failing source counts, the old lists stay
	status.Store(http.StatusBadGateway)
	u.FirstDelay, u.Interval = time.Millisecond, time.Hour
	rctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { defer close(stopped); u.Run(rctx) }()
	require.Eventually(t, func() bool { return testutil.ToFloat64(u.failed) == 1 }, 10*time.Second, 10*time.Millisecond)
	cancel()
	<-stopped
	require.Zero(t, testutil.ToFloat64(u.updated))
	still, err := os.ReadFile(filepath.Join(dir, "sdn.xml"))
	require.NoError(t, err)
	require.Equal(t, good, still)
}
