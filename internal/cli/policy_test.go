package cli_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
)

// seedReview puts a verification into review (a duplicate e-mail) with the
// app's services, as the API and the worker would.
func seedReview(t *testing.T, dir string) (merchantID, verificationID string) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, MaxUploadBytes: 1 << 20, MaxImagePixels: 1 << 20}
	require.NoError(t, cfg.Validate())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	defer a.Close()
	m, err := a.Merchants.Create(ctx, "M", "test")
	require.NoError(t, err)
	p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}
	var img bytes.Buffer
	require.NoError(t, jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 64, 64)), nil))
	var vid string
	for i, ext := range []string{"a", "b"} {
		ap, _, err := a.Applicants.Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: ext,
			PII: kyc.PII{FirstName: "Li", LastName: "Wei", DateOfBirth: "1980-01-01", Email: "same@example.com"}})
		require.NoError(t, err)
		for _, k := range []kyc.DocumentKind{kyc.DocIDFront, kyc.DocSelfie} {
			_, err := a.Applicants.UploadDocument(ctx, p, ap.ID, k, bytes.NewReader(img.Bytes()))
			require.NoError(t, err)
		}
		v, err := a.Verifications.Create(ctx, p, kyc.SurfaceNative, verification.CreateInput{ApplicantID: ap.ID, Reference: ext})
		require.NoError(t, err)
		_, err = a.Verifications.Submit(ctx, p, v.ID)
		require.NoError(t, err)
		require.NoError(t, a.Verifications.Process(ctx, p.MerchantID, v.ID))
		if i == 1 {
			vid = v.ID
		}
	}
	v, err := a.Store.VerificationByID(ctx, p.MerchantID, vid)
	require.NoError(t, err)
	require.Equal(t, kyc.StateReview, v.State)
	return m.Merchant.ID, vid
}

func TestLevelBlocklistAndReplayCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mid, vid := seedReview(t, dir)
	d := []string{"--data-dir", dir}

	out, err := run(t, append([]string{"level", "set", "--merchant", mid, "--file", "testdata/level-lenient.yaml"}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "level lenient stored as version 1")
	out, err = run(t, append([]string{"level", "set", "--merchant", mid, "--file", "testdata/level-lenient.yaml"}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "version 2")
	out, err = run(t, append([]string{"level", "get", "--merchant", mid, "--name", "lenient"}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "max_attempts: 3")

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("name: x\nmin_age: 500\nmax_attempts: 1\n"), 0o600))
	_, err = run(t, append([]string{"level", "set", "--merchant", mid, "--file", bad}, d...)...)
	require.ErrorContains(t, err, "min_age")
	require.NoError(t, os.WriteFile(bad, []byte("name: x\nmin_agee: 5\n"), 0o600))
	_, err = run(t, append([]string{"level", "set", "--merchant", mid, "--file", bad}, d...)...)
	require.ErrorContains(t, err, "min_agee", "unknown keys are refused")

	out, err = run(t, append([]string{"blocklist", "add", "--merchant", mid, "--kind", "document_number", "--value", "X-123 456"}, d...)...)
	require.NoError(t, err)
	out, err = run(t, append([]string{"blocklist", "list", "--merchant", mid}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "X-123 456")

	// Replay under the current level: unchanged; under the lenient one: approved.
	out, err = run(t, append([]string{"policy", "replay", "--verification", vid}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "same")
	out, err = run(t, append([]string{"policy", "replay", "--verification", vid, "--level", "testdata/level-lenient.yaml"}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "replayed: decision=approved")
	require.Contains(t, out, "DIFFERENT")
	out, err = run(t, append([]string{"policy", "replay", "--verification", vid, "--level", "testdata/level-lenient.yaml"}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "current:  state=review", "nothing changed without --apply")
	out, err = run(t, append([]string{"policy", "replay", "--verification", vid, "--level", "testdata/level-lenient.yaml", "--apply"}, d...)...)
	require.NoError(t, err)
	require.Contains(t, out, "applied: state=completed decision=approved")
	_, err = run(t, append([]string{"policy", "replay", "--verification", vid, "--apply"}, d...)...)
	require.ErrorContains(t, err, "only a verification in review")
	out, err = run(t, append([]string{"audit", "verify"}, d...)...)
	require.NoError(t, err, out)
}
