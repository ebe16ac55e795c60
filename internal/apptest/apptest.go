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
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

// Start validates cfg, opens the app (logs discarded), runs its workers when
// cfg.Workers is set and serves its handler on loopback. Unless cfg sets
// its own, the built-in levels are EnginelessLevel's.
func Start(t testing.TB, cfg config.Config) (*app.App, *httptest.Server) {
	t.Helper()
	if cfg.BuiltInLevels == nil {
		cfg.BuiltInLevels = EnginelessLevel
	}
	return StartStrict(t, cfg)
}

// StartStrict is Start with the product's built-in levels (unless cfg sets
// its own).
func StartStrict(t testing.TB, cfg config.Config) (*app.App, *httptest.Server) {
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

// EnginelessLevel is the built-in level of name as a merchant would set it
// up when its installation lacks the engines a test directory lacks (OCR
// assets, face models, sanctions lists): those checks may be unavailable
// (allow_unavailable; the decision's audit entry says so) and nothing need
// be read from the document. Start uses it so the suites of the dialects
// and surfaces can reach approvals; StartStrict keeps the product's levels,
// which send such verifications to review (CHECK_UNAVAILABLE).
func EnginelessLevel(name string) (policy.Level, bool) {
	l, ok := policy.BuiltIn(name)
	if !ok {
		return l, false
	}
	checks := map[kyc.CheckKind]policy.CheckRule{}
	for k, r := range l.Checks {
		switch k {
		case kyc.KindMRZ, kyc.KindBarcode, kyc.KindClassification, kyc.KindConsistency, kyc.KindExpiry, kyc.KindFaceMatch, kyc.KindFaceDuplicate, kyc.KindFaceLiveness, kyc.KindSanctions:
			r.AllowUnavailable = true
		}
		checks[k] = r
	}
	l.Checks, l.RequireDocumentData = checks, false
	return l, true
}
