// Package apptest starts a whole openkyc for tests: the app on a config,
// its job workers, and a loopback HTTP server, all stopped at cleanup.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/config"
)

// Start validates cfg, opens the app (logs discarded), runs its workers when
// cfg.Workers is set and serves its handler on loopback.
func Start(t testing.TB, cfg config.Config) (*app.App, *httptest.Server) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if cfg.Workers {
		go func() { defer close(done); _ = a.RunWorkers(ctx) }()
	} else {
		close(done)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { cancel(); <-done; srv.Close(); a.Close() })
	return a, srv
}
