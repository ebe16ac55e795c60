// Package apptest starts a whole openkyc for tests: the app on a config,
// its job workers, and a loopback HTTP server, all stopped at cleanup.
package apptest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/verification"
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
		case kyc.KindMRZ, kyc.KindBarcode, kyc.KindVIZ, kyc.KindClassification, kyc.KindConsistency, kyc.KindExpiry, kyc.KindFaceMatch, kyc.KindFaceDuplicate, kyc.KindFaceLiveness, kyc.KindSanctions:
			r.AllowUnavailable = true
		}
		checks[k] = r
	}
	l.Checks, l.RequireDocumentData = checks, false
	return l, true
}

// Decided creates an applicant of p with pii and docs (kind → file), submits
// a verification of it on the native surface (reference: user) and waits
// until the pipeline decides or hands it to review; it returns the
// verification and its checks by kind.
func Decided(t testing.TB, a *app.App, p kyc.Principal, user string, pii kyc.PII, docs map[kyc.DocumentKind][]byte) (kyc.Verification, map[kyc.CheckKind]kyc.Check) {
	t.Helper()
	ctx := context.Background()
	ap, _, err := a.Applicants.Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: user, PII: pii})
	require.NoError(t, err)
	for _, kind := range slices.Sorted(maps.Keys(docs)) {
		_, err = a.Applicants.UploadDocument(ctx, p, ap.ID, kind, bytes.NewReader(docs[kind]))
		require.NoError(t, err)
	}
	v, err := a.Verifications.Create(ctx, p, kyc.SurfaceNative, verification.CreateInput{ApplicantID: ap.ID, Reference: user})
	require.NoError(t, err)
	_, err = a.Verifications.Submit(ctx, p, v.ID)
	require.NoError(t, err)
	var checks []kyc.Check
	// generous: on a 2-core machine running every package's tests at once,
	// one verification's OCR passes take tens of seconds (a barcode
	// pipeline test took over two minutes under CI's load)
	require.Eventually(t, func() bool {
		v, checks, err = a.Verifications.Get(ctx, p, v.ID)
		return err == nil && (v.State == kyc.StateCompleted || v.State == kyc.StateReview)
	}, 4*time.Minute, 20*time.Millisecond)
	by := map[kyc.CheckKind]kyc.Check{}
	for _, c := range checks {
		by[c.Kind] = c
	}
	return v, by
}
