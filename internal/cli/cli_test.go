package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
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
	okcrypto "github.com/openkyc/openkyc/internal/crypto"
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

		cb := created["card_binding"].(map[string]any)
		require.Regexp(t, `^[0-9a-f]{32}$`, cb["api_key"])
		require.Contains(t, cb["platform_public_key"], "-----BEGIN PUBLIC KEY-----")
		require.NotEmpty(t, created["vexora"].(map[string]any)["app_secret"])
		require.NotEmpty(t, created["kyc_sharing"].(map[string]any)["secret"])
		pc := created["paycools"].(map[string]any)
		require.Regexp(t, `^pc[0-9a-f]{16}$`, pc["app_id"])
		require.Contains(t, pc["platform_public_key"], "-----BEGIN PUBLIC KEY-----")

		// Dialect settings and the merchant's card-binding public key.
		keyFile := filepath.Join(t.TempDir(), "merchant.pub.pem")
		require.NoError(t, os.WriteFile(keyFile, []byte(testPublicKey(t)), 0o600))
		out, err = run(t, append([]string{"merchant", "set-key", "--merchant", mid, "--dialect", "card_binding", "--public-key-file", keyFile}, common...)...)
		require.NoError(t, err, out)
		require.NoError(t, os.WriteFile(keyFile, []byte("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n"), 0o600))
		_, err = run(t, append([]string{"merchant", "set-key", "--merchant", mid, "--dialect", "card_binding", "--public-key-file", keyFile}, common...)...)
		require.ErrorContains(t, err, "public_key")
		_, err = run(t, append([]string{"merchant", "set-key", "--merchant", mid, "--dialect", "vexora", "--public-key-file", keyFile}, common...)...)
		require.ErrorContains(t, err, "only the card_binding and paycools dialects")
		out, err = run(t, append([]string{"merchant", "set", "--merchant", mid, "--dialect", "card-binding", "--callback-url", "https://203.0.113.10/kyc", "--ack", "2xx", "--allow-id-card"}, common...)...)
		require.NoError(t, err, out)
		_, err = run(t, append([]string{"merchant", "set", "--merchant", mid, "--dialect", "vexora", "--ack", "sometimes"}, common...)...)
		require.ErrorContains(t, err, "ack")
		_, err = run(t, append([]string{"merchant", "set", "--merchant", mid, "--dialect", "paypal", "--ack", "2xx"}, common...)...)
		require.ErrorContains(t, err, "--dialect")
		out, err = run(t, append([]string{"merchant", "show", mid, "--json"}, common...)...)
		require.NoError(t, err)
		shown := map[string]map[string]any{}
		var top map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &top))
		for _, k := range []string{"vexora", "kyc_sharing", "card_binding"} {
			shown[k] = top[k].(map[string]any)
		}
		require.Equal(t, cb["api_key"], shown["card_binding"]["api_key"])
		require.Equal(t, cb["platform_public_key"], shown["card_binding"]["platform_public_key"])
		set := shown["card_binding"]["settings"].(map[string]any)
		require.Equal(t, "https://203.0.113.10/kyc", set["callback_url"])
		require.Equal(t, "2xx", set["ack"])
		require.Equal(t, true, set["allow_id_card"])
		require.Contains(t, set["public_key"], "BEGIN PUBLIC KEY")
		require.Equal(t, "200", shown["kyc_sharing"]["settings"].(map[string]any)["ack"], "defaults shown")
		for k := range shown {
			require.Equal(t, k, shown[k]["settings"].(map[string]any)["dialect"], "settings name their dialect as the CLI does")
		}
		require.NotContains(t, out, created["vexora"].(map[string]any)["app_secret"], "no secrets")
		require.NotContains(t, out, created["kyc_sharing"].(map[string]any)["secret"], "no secrets")

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
	for !strings.Contains(out.String(), "Engines:") || !strings.HasSuffix(out.String(), "\n\n") {
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
	console := regexp.MustCompile(`console\s+http://\S+/console/\s+sign in as (\S+), password (\S+)`).FindStringSubmatch(first)
	require.Len(t, console, 3, first)
	// no lists in a fresh data directory: the demo says what that means
	require.Contains(t, first, "ends in review\n(CHECK_UNAVAILABLE)", first)
	require.Contains(t, first, "screening.sanctions: no sanctions lists loaded", first)
	require.Contains(t, first, "openkyc lists update", first)
	second := serveDemo(t, dir)
	require.Contains(t, second, key[1], "the second start prints the same credentials")
	require.Contains(t, second, console[2], "and the same console password")
	out, err := run(t, "staff", "list", "--json", "--data-dir", dir)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(out, console[1]), "one demo console account: %s", out)
	out, err = run(t, "merchant", "list", "--json", "--data-dir", dir)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(out, `"id"`), "one demo merchant, not two")
	fi, err := os.Stat(filepath.Join(dir, "demo-credentials.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func testPublicKey(t *testing.T) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	return okcrypto.RSAPublicKeyPEM(&k.PublicKey)
}

func TestMRZParse(t *testing.T) {
	t.Parallel()
	out, err := run(t, "mrz", "parse", "--json", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Equal(t, true, d["valid"])
	require.Equal(t, "1974-08-12", d["birth_date"])
	require.Equal(t, "ANNA MARIA", d["given_names"])

	out, err = run(t, "mrz", "parse", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<11")
	require.Error(t, err, "invalid: exit status 1")
	require.Contains(t, out, "check digit composite        1 INVALID (computed 0)")
	_, err = run(t, "mrz", "parse", "NOT<AN<MRZ")
	require.ErrorContains(t, err, "not a TD1, TD2 or TD3")
}

func TestCheckDocument(t *testing.T) {
	t.Parallel()
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	file := filepath.Join(t.TempDir(), "passport.jpg")
	require.NoError(t, os.WriteFile(file, kyctest.JPEG(t, kyctest.SyntheticDocument(t, lines, 1200)), 0o600))
	out, err := run(t, "check", "document", "--json", "--assets-dir", "../../assets", file)
	require.NoError(t, err)
	var res map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, "passed", res["file"]["status"])
	require.Equal(t, true, res["document.quality"]["ok"])
	if res["document.mrz"]["status"] == "not_run" && os.Getenv("OPENKYC_REQUIRE_OCR") == "" {
		t.Skip("no OCR assets: ", res["document.mrz"]["reason"])
	}
	require.Equal(t, "passed", res["document.mrz"]["status"], "%v", res["document.mrz"])

	// --debug-dir: what the reader saw, private to the operator
	dir := filepath.Join(t.TempDir(), "debug")
	_, err = run(t, "check", "document", "--json", "--assets-dir", "../../assets", "--debug-dir", dir, file)
	require.NoError(t, err)
	for _, name := range []string{"level-lines.png", "level-ocr-input-0.png", "level-readings.txt"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
	}
	readings, err := os.ReadFile(filepath.Join(dir, "level-readings.txt"))
	require.NoError(t, err)
	require.Contains(t, string(readings), lines[1])

	_, err = run(t, "check", "document", "--kind", "passport", file)
	require.ErrorContains(t, err, "--kind")
}

func TestFaceCommands(t *testing.T) {
	t.Parallel()
	photo := "../../assets/fixtures/astronaut.png"
	if _, err := os.Stat(photo); err != nil {
		t.Skip("face fixtures missing (scripts/install-assets.sh)")
	}
	out, err := run(t, "face", "compare", "--assets-dir", "../../assets", photo, photo)
	if err != nil && strings.Contains(err.Error(), "unavailable") && os.Getenv("OPENKYC_REQUIRE_FACE") == "" {
		t.Skip(err)
	}
	require.NoError(t, err)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, "match", res["verdict"])
	require.InDelta(t, 1, res["score"], 0.001)

	out, err = run(t, "face", "compare", "--assets-dir", "../../assets", photo, "../../assets/fixtures/sample1.jpg")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, "mismatch", res["verdict"])

	out, err = run(t, "face", "detect", "--assets-dir", "../../assets", photo)
	require.NoError(t, err)
	var det struct {
		Faces []struct {
			Box   [4]int  `json:"box"`
			Score float64 `json:"score"`
		} `json:"faces"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &det))
	require.Len(t, det.Faces, 1)
	require.Greater(t, det.Faces[0].Box[2], det.Faces[0].Box[0])
}

// TestMerchantSetCallbackTargets: merchant set refuses callback URLs that
// point inward, as the server does (issue 17), unless --webhook-allow-private
// or OPENKYC_WEBHOOK_ALLOW_PRIVATE allows them. Not parallel: it sets the
// environment.
func TestMerchantSetCallbackTargets(t *testing.T) {
	common := []string{"--data-dir", t.TempDir()}
	_, err := run(t, append([]string{"migrate"}, common...)...)
	require.NoError(t, err)
	out, err := run(t, append([]string{"merchant", "create", "--name", "Acme Pay", "--json"}, common...)...)
	require.NoError(t, err)
	var created map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	set := append([]string{"merchant", "set", "--merchant", created["id"].(string), "--dialect", "vexora"}, common...)
	for _, u := range kyctest.InternalTargets {
		if strings.HasSuffix(u, ".example/") {
			continue // resolving it takes DNS; the server's tests answer it
		}
		_, err := run(t, append(set, "--callback-url", u)...)
		require.ErrorContains(t, err, "callback_url: url host", u)
	}
	_, err = run(t, append(set, "--callback-url", "http://127.0.0.1:9000/kyc")...)
	require.ErrorContains(t, err, "callback_url: url must use https")

	out, err = run(t, append(set, "--callback-url", "http://127.0.0.1:9000/kyc", "--webhook-allow-private")...)
	require.NoError(t, err, out)
	require.Contains(t, out, `"callback_url":"http://127.0.0.1:9000/kyc"`)

	t.Setenv("OPENKYC_WEBHOOK_ALLOW_PRIVATE", "true")
	out, err = run(t, append(set, "--callback-url", "https://metadata.google.internal/")...)
	require.NoError(t, err, out)
	require.Contains(t, out, `"callback_url":"https://metadata.google.internal/"`)
}
