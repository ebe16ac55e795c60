package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

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
