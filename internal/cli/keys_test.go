package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store"
)

// TestKeysRotateAndRetire: data written under master key version 1 is
// readable after `keys rotate` and `keys retire --version 1`, with only
// version 2 left in the key file.
func TestKeysRotateAndRetire(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: db.URL, MaxUploadBytes: 4 << 20, MaxImagePixels: 20_000_000, NoLists: true}
		open := func() *app.App {
			a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			require.NoError(t, err)
			return a
		}
		a := open()
		m, err := a.Merchants.Create(ctx, "Keys", "test")
		require.NoError(t, err)
		p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}
		ap, _, err := a.Applicants.Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: "k-1",
			PII: kyc.PII{FirstName: "Jane", Email: "jane@example.org"}})
		require.NoError(t, err)
		img := kyctest.JPEG(t, kyctest.SyntheticCard(800, 500))
		doc, err := a.Applicants.UploadDocument(ctx, p, ap.ID, kyc.DocIDFront, bytes.NewReader(img))
		require.NoError(t, err)
		require.NoError(t, a.Close())

		common := []string{"--data-dir", dir, "--database-url", db.URL}
		status := func() map[string]any {
			out, err := run(t, append([]string{"keys", "status", "--json"}, common...)...)
			require.NoError(t, err)
			var st map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &st))
			return st
		}
		st := status()
		require.Equal(t, []any{map[string]any{"version": 1.0, "active": true, "configured": true, "data_keys": 2.0}}, st["versions"])

		out, err := run(t, append([]string{"keys", "rotate"}, common...)...)
		require.NoError(t, err)
		require.Contains(t, out, "master key version 2 is active")
		require.Contains(t, out, "2 data keys re-wrapped")
		st = status()
		require.Equal(t, []any{1.0}, st["retirable"])
		out, err = run(t, append([]string{"keys", "status"}, common...)...)
		require.NoError(t, err)
		require.Contains(t, out, "unused: can be retired")

		_, err = run(t, append([]string{"keys", "retire", "--version", "2"}, common...)...)
		require.ErrorContains(t, err, "active")
		out, err = run(t, append([]string{"keys", "retire", "--version", "1"}, common...)...)
		require.NoError(t, err)
		require.Contains(t, out, "remaining: [2]")
		keyFile, err := os.ReadFile(filepath.Join(dir, "master.key"))
		require.NoError(t, err)
		require.Contains(t, string(keyFile), "v2:")
		require.NotContains(t, string(keyFile), "v1:")

		// Everything written under version 1 opens under version 2 alone.
		a = open()
		defer a.Close()
		got, err := a.Applicants.Get(ctx, p, ap.ID)
		require.NoError(t, err)
		require.Equal(t, "Jane", got.PII.FirstName)
		r, err := a.Blobs.Open(ctx, doc.BlobKey)
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		r.Close()
		require.NoError(t, err)
		require.Equal(t, img, b, "documents were not rewritten and still open")

		// A key given in the environment cannot be rewritten by the command.
		line := strings.TrimSpace(strings.Split(string(keyFile), "\n")[1])
		env := append([]string{"--master-key", line}, common...)
		_, err = run(t, append([]string{"keys", "rotate"}, env...)...)
		require.ErrorContains(t, err, "openkyc keys generate")
		out, err = run(t, append([]string{"keys", "generate"}, env...)...)
		require.NoError(t, err)
		require.Regexp(t, `^v3:[A-Za-z0-9+/]{43}=\n$`, out)
	})
}

func TestMerchantRotateCommands(t *testing.T) {
	t.Parallel()
	common := []string{"--data-dir", t.TempDir()}
	out, err := run(t, append([]string{"merchant", "create", "--name", "Rotating", "--json"}, common...)...)
	require.NoError(t, err)
	var created map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	mid := created["id"].(string)

	out, err = run(t, append([]string{"merchant", "rotate-key", mid, "--overlap", "2h", "--json"}, common...)...)
	require.NoError(t, err)
	var k map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &k))
	require.Regexp(t, `^okyc_[a-z2-7]{52}$`, k["api_key"])
	require.NotEqual(t, created["api_key"], k["api_key"])
	require.EqualValues(t, 1, k["old_keys"])

	out, err = run(t, append([]string{"merchant", "rotate-secret", mid, "--dialect", "kyc_sharing"}, common...)...)
	require.NoError(t, err)
	require.Contains(t, out, "new kyc_sharing secret (shown once)")
	require.NotContains(t, out, created["kyc_sharing"].(map[string]any)["secret"])
	_, err = run(t, append([]string{"merchant", "rotate-secret", mid, "--dialect", "paycools"}, common...)...)
	require.ErrorContains(t, err, "RSA")
	_, err = run(t, append([]string{"merchant", "rotate-key", mid, "--overlap", "1000h"}, common...)...)
	require.ErrorContains(t, err, "overlap")

	// The platform key pair: staged (the current one still signs), then activated.
	show := func() map[string]any {
		out, err := run(t, append([]string{"merchant", "show", mid, "--json"}, common...)...)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &m))
		return m["card_binding"].(map[string]any)
	}
	p1 := show()["platform_public_key"].(string)
	require.NotContains(t, show(), "next_platform_public_key")
	out, err = run(t, append([]string{"merchant", "rotate-platform-key", mid, "--dialect", "card_binding"}, common...)...)
	require.NoError(t, err)
	p2 := out[strings.Index(out, "-----BEGIN"):]
	require.NotEqual(t, p1, p2)
	cb := show()
	require.Equal(t, p1, cb["platform_public_key"], "the current key signs until the activation")
	require.Equal(t, p2, cb["next_platform_public_key"])
	again, err := run(t, append([]string{"merchant", "rotate-platform-key", mid, "--dialect", "card_binding"}, common...)...)
	require.NoError(t, err)
	require.Contains(t, again, p2, "staging again shows the staged key")
	_, err = run(t, append([]string{"merchant", "rotate-platform-key", mid, "--dialect", "card_binding", "--activate"}, common...)...)
	require.NoError(t, err)
	cb = show()
	require.Equal(t, p2, cb["platform_public_key"])
	require.NotContains(t, cb, "next_platform_public_key")
	_, err = run(t, append([]string{"merchant", "rotate-platform-key", mid, "--dialect", "card_binding", "--activate"}, common...)...)
	require.ErrorContains(t, err, "no platform key is staged")
	_, err = run(t, append([]string{"merchant", "rotate-platform-key", mid, "--dialect", "vexora"}, common...)...)
	require.ErrorContains(t, err, "platform key pairs")
}

func TestRetentionRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, MaxUploadBytes: 4 << 20, MaxImagePixels: 20_000_000, NoLists: true}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	m, err := a.Merchants.Create(ctx, "Retention", "test")
	require.NoError(t, err)
	p := kyc.Principal{MerchantID: m.Merchant.ID, Actor: "test"}
	ap, _, err := a.Applicants.Create(ctx, p, kyc.SurfaceNative, applicant.Input{ExternalUserID: "r-1", PII: kyc.PII{FirstName: "Jane"}})
	require.NoError(t, err)
	_, err = a.Applicants.SetRetention(ctx, p, store.RetentionSettings{RestoreDays: 0})
	require.NoError(t, err)
	_, err = a.Erasure.DeleteApplicant(ctx, p, ap.ID, false)
	require.NoError(t, err)
	require.NoError(t, a.Close())

	out, err := run(t, "retention", "run", "--data-dir", dir)
	require.NoError(t, err)
	require.Contains(t, out, "purged 1 applicants")
	out, err = run(t, "retention", "run", "--data-dir", dir)
	require.NoError(t, err)
	require.Contains(t, out, "purged 0 applicants")
}
