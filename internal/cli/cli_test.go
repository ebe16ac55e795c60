package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/cli"
	"github.com/openkyc/openkyc/internal/kyctest"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := cli.Command(&out, &errOut).Run(context.Background(), append([]string{"openkyc"}, args...))
	return out.String(), err
}

func TestMerchantAndAuditCommands(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		common := []string{"--data-dir", t.TempDir(), "--database-url", db.URL}
		out, err := run(t, append([]string{"migrate"}, common...)...)
		require.NoError(t, err)
		require.Contains(t, out, "migrations current")

		out, err = run(t, append([]string{"merchant", "create", "--name", "Acme Pay", "--json"}, common...)...)
		require.NoError(t, err)
		var created map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &created))
		require.Regexp(t, `^okyc_[a-z2-7]{52}$`, created["api_key"])
		require.Regexp(t, `^\d{12}$`, created["merchant_no"])
		mid := created["id"].(string)

		_, err = run(t, append([]string{"merchant", "create", "--name", "  ", "--json"}, common...)...)
		require.ErrorContains(t, err, "name")

		out, err = run(t, append([]string{"merchant", "list", "--json"}, common...)...)
		require.NoError(t, err)
		require.Contains(t, out, mid)
		require.NotContains(t, out, created["api_key"], "keys are shown only once")

		out, err = run(t, append([]string{"audit", "verify"}, common...)...)
		require.NoError(t, err)
		require.Contains(t, out, "ok     "+mid)

		// Tamper with the stored entry: verify reports the first broken link.
		driver, dsn := "sqlite", strings.TrimPrefix(db.URL, "sqlite:")
		if db.Name == "postgres" {
			driver, dsn = "pgx", db.URL
		}
		raw, err := sql.Open(driver, dsn)
		require.NoError(t, err)
		defer raw.Close()
		_, err = raw.Exec(`UPDATE audit_entries SET actor = 'mallory' WHERE merchant_id = $1 AND seq = 1`, mid)
		require.NoError(t, err)
		out, err = run(t, append([]string{"audit", "verify", "--merchant", mid}, common...)...)
		require.Error(t, err)
		require.Contains(t, out, "BROKEN "+mid)
		require.Contains(t, out, "seq 1")

		_, err = run(t, append([]string{"audit", "verify", "--merchant", "mer_missing"}, common...)...)
		require.ErrorContains(t, err, "not found")
	})
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	_, err := run(t, "migrate", "--data-dir", t.TempDir(), "--database-url", "mysql://x")
	require.ErrorContains(t, err, "database-url")
	_, err = run(t, "serve", "--data-dir", t.TempDir(), "--addr", "nonsense")
	require.ErrorContains(t, err, "addr")
	_, err = run(t, "serve", "--data-dir", t.TempDir(), "--max-upload-bytes", "-1")
	require.ErrorContains(t, err, "max-upload-bytes")
}

// serveDemo runs `openkyc serve --demo` until its walk-through is printed,
// then stops it and returns what it printed.
func serveDemo(t *testing.T, dataDir string) string {
	t.Helper()
	var out kyctest.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- cli.Command(&out, io.Discard).Run(ctx, []string{"openkyc", "serve", "--demo", "--data-dir", dataDir, "--addr", "127.0.0.1:0", "--log-level", "error"})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "/v1/verifications/<verification id>") {
		require.True(t, time.Now().Before(deadline), "no demo output: %s", out.String())
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	require.NoError(t, <-done)
	return out.String()
}

func TestServeDemoCreatesTheMerchantOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := serveDemo(t, dir)
	key := regexp.MustCompile(`api key\s+(okyc_[a-z2-7]+)`).FindStringSubmatch(first)
	require.Len(t, key, 2, first)
	second := serveDemo(t, dir)
	require.Contains(t, second, key[1], "the second start prints the same credentials")
	out, err := run(t, "merchant", "list", "--json", "--data-dir", dir)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(out, `"id"`), "one demo merchant, not two")
	fi, err := os.Stat(filepath.Join(dir, "demo-credentials.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}
