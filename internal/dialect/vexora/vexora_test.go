package vexora_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

var linkRE = regexp.MustCompile(`/verify/[A-Za-z0-9_-]{43}`)

var update = flag.Bool("update", false, "rewrite golden files")

type merchant struct{ no, secret string }

type env struct {
	t    testing.TB
	srv  *httptest.Server
	a, b merchant
}

func newEnv(t testing.TB, db kyctest.DB, mutate ...func(*config.Config)) *env {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseURL: db.URL, MaxUploadBytes: 1 << 20, MaxImagePixels: 4_000_000,
		Workers: true, WebhookAllowPrivate: true, PublicURL: "https://kyc.example.com"}
	for _, m := range mutate {
		m(&cfg)
	}
	a, srv := apptest.Start(t, cfg)
	e := &env{t: t, srv: srv}
	for _, m := range []*merchant{&e.a, &e.b} {
		c, err := a.Merchants.Create(context.Background(), "M", "test")
		require.NoError(t, err)
		m.no, m.secret = c.Merchant.MerchantNo, c.VexoraAppSecret
	}
	return e
}

func now() string { return strconv.FormatInt(time.Now().UnixMilli(), 10) }

// signed adds timestamp (unless set) and sign computed by the reference signer.
func signed(m merchant, f map[string]string) map[string]string {
	if _, ok := f["timestamp"]; !ok {
		f["timestamp"] = now()
	}
	f["sign"] = refSign(f, m.secret)
	return f
}

func (e *env) post(path, merchantNo string, body []byte, contentType string) map[string]any {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", contentType)
	if merchantNo != "" {
		req.Header.Set("merchantNo", merchantNo)
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	require.Equal(e.t, http.StatusOK, res.StatusCode)
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	require.NoError(e.t, json.Unmarshal(b, &out), "%s", b)
	return out
}

func (e *env) postJSON(path string, m merchant, f map[string]string) map[string]any {
	b, _ := json.Marshal(f)
	return e.post(path, m.no, b, "application/json")
}

func (e *env) postForm(m merchant, f map[string]string, files map[string][]byte) map[string]any {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	for _, k := range keys {
		_ = w.WriteField(k, f[k])
	}
	for _, name := range []string{"idFront", "idBack", "face"} {
		if data, ok := files[name]; ok {
			fw, _ := w.CreateFormFile(name, name+".jpg")
			_, _ = fw.Write(data)
		}
	}
	_ = w.Close()
	return e.post("/v1/vexora/kycApplyFor", m.no, b.Bytes(), w.FormDataContentType())
}

func photo(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

func code(t *testing.T, res map[string]any) string {
	t.Helper()
	c, _ := res["code"].(string)
	return c
}

var (
	tsRE  = regexp.MustCompile(`"timestamp": "\d+"`)
	kycRE = regexp.MustCompile(`KYC[0-9A-Z]{20}`)
)

func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	got := kycRE.ReplaceAllString(tsRE.ReplaceAllString(buf.String(), `"timestamp": "<ms>"`), "KYC<number>")
	got = linkRE.ReplaceAllString(got, "/verify/<token>")
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create %s", path)
	require.Equal(t, string(want), got)
}

// callbacks is a loopback callBackUrl that checks each callback's sign with
// the reference signer.
type callbacks struct {
	mu     sync.Mutex
	secret string
	got    []map[string]string
	srv    *httptest.Server
}

func newCallbacks(t *testing.T, m merchant) *callbacks {
	c := &callbacks{secret: m.secret}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var f map[string]string
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			t.Errorf("callback body: %v", err)
		}
		if r.Header.Get("merchantNo") != m.no {
			t.Errorf("callback merchantNo %q", r.Header.Get("merchantNo"))
		}
		if refSign(f, c.secret) != f["sign"] {
			t.Errorf("callback sign does not verify: %v", f)
		}
		c.mu.Lock()
		c.got = append(c.got, f)
		c.mu.Unlock()
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *callbacks) statuses(kycNumber string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, f := range c.got {
		if f["kycNumber"] == kycNumber {
			out = append(out, f["authenticationStatus"])
		}
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "timed out: %s", what)
		time.Sleep(20 * time.Millisecond)
	}
}

func TestVexora(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		cb := newCallbacks(t, e.a)

		// An application without documents waits for them.
		res := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": "jp_user_1", "usernameKanji": "山田 太郎",
			"dateOfBirth": "19900412", "nationality": "JP", "email": "taro@example.jp", "callBackUrl": cb.srv.URL}))
		require.Equal(t, "0000", code(t, res), "%v", res)
		golden(t, "apply_without_documents", res)
		data := res["data"].(map[string]any)
		kycNo := data["kycNumber"].(string)
		authURL := data["authenticationUrl"].(string)
		require.Regexp(t, `^https://kyc\.example\.com/verify/[A-Za-z0-9_-]{43}$`, authURL)
		page, err := http.Get(e.srv.URL + strings.TrimPrefix(authURL, "https://kyc.example.com"))
		require.NoError(t, err)
		page.Body.Close()
		require.Equal(t, http.StatusOK, page.StatusCode, "the hosted page of the application")

		q := e.postJSON("/v1/vexora/kycStatusQuery", e.a, signed(e.a, map[string]string{"userId": "jp_user_1"}))
		golden(t, "status_pending", q)
		require.Equal(t, "0", q["data"].(map[string]any)["authenticationStatus"])

		// Repeating the same application is idempotent; different data is a duplicate.
		again := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": "jp_user_1", "usernameKanji": "山田 太郎",
			"dateOfBirth": "19900412", "nationality": "JP", "email": "taro@example.jp", "callBackUrl": cb.srv.URL}))
		require.Equal(t, kycNo, again["data"].(map[string]any)["kycNumber"])
		dup := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": "jp_user_1", "dateOfBirth": "19900413"}))
		require.Equal(t, "1006", code(t, dup))
		golden(t, "error_duplicate", dup)

		// With documents the application is submitted and decided; callbacks follow each status change.
		res = e.postForm(e.a, signed(e.a, map[string]string{"userId": "jp_user_2", "firstName": "Hanako", "lastName": "Sato",
			"dateOfBirth": "19850101", "callBackUrl": cb.srv.URL}), map[string][]byte{"idFront": photo(200, 120), "face": photo(120, 120)})
		require.Equal(t, "0000", code(t, res), "%v", res)
		golden(t, "apply_with_documents", res)
		kyc2 := res["data"].(map[string]any)["kycNumber"].(string)
		waitFor(t, "approved", func() bool {
			q := e.postJSON("/v1/vexora/kycStatusQuery", e.a, signed(e.a, map[string]string{"kycNumber": kyc2}))
			return q["data"].(map[string]any)["authenticationStatus"] == "2"
		})
		waitFor(t, "callbacks", func() bool { return len(cb.statuses(kyc2)) == 2 })
		// Callbacks carry the status at sending time: never older than an earlier one.
		require.Contains(t, cb.statuses(kyc2), "2")
		require.Subset(t, []string{"1", "2"}, cb.statuses(kyc2))

		// Errors, each with its code and nothing written.
		exe := append([]byte("MZ\x90\x00"), make([]byte, 4000)...)
		bad := e.postForm(e.a, signed(e.a, map[string]string{"userId": "jp_user_3"}), map[string][]byte{"idFront": exe})
		require.Equal(t, "1002", code(t, bad))
		require.Contains(t, bad["msg"], "idFront")
		require.Equal(t, "1005", code(t, e.postJSON("/v1/vexora/kycStatusQuery", e.a, signed(e.a, map[string]string{"userId": "jp_user_3"}))), "no application was created")

		stale := signed(e.a, map[string]string{"userId": "jp_user_1", "timestamp": strconv.FormatInt(time.Now().Add(-6*time.Minute).UnixMilli(), 10)})
		tests := []struct {
			name     string
			path     string
			merchant string
			body     []byte
			code     string
		}{
			{"no merchantNo", "/v1/vexora/kycStatusQuery", "", mustJSON(signed(e.a, map[string]string{"userId": "jp_user_1"})), "1003"},
			{"unknown merchantNo", "/v1/vexora/kycStatusQuery", "999999999999", mustJSON(signed(e.a, map[string]string{"userId": "jp_user_1"})), "1003"},
			{"wrong secret", "/v1/vexora/kycStatusQuery", e.a.no, mustJSON(signed(e.b, map[string]string{"userId": "jp_user_1"})), "1001"},
			{"no sign", "/v1/vexora/kycStatusQuery", e.a.no, mustJSON(map[string]string{"userId": "jp_user_1", "timestamp": now()}), "1001"},
			{"stale timestamp", "/v1/vexora/kycStatusQuery", e.a.no, mustJSON(stale), "1004"},
			{"timestamp not a number", "/v1/vexora/kycStatusQuery", e.a.no, mustJSON(signed(e.a, map[string]string{"userId": "u", "timestamp": "soon"})), "1002"},
			{"malformed json", "/v1/vexora/kycStatusQuery", e.a.no, []byte(`{"userId":`), "1002"},
			{"nested value", "/v1/vexora/kycStatusQuery", e.a.no, []byte(`{"userId":{"a":1}}`), "1002"},
			{"unknown user", "/v1/vexora/kycStatusQuery", e.a.no, mustJSON(signed(e.a, map[string]string{"userId": "nobody"})), "1005"},
			{"no user or number", "/v1/vexora/kycStatusQuery", e.a.no, mustJSON(signed(e.a, map[string]string{})), "1002"},
			{"another merchant's number", "/v1/vexora/kycStatusQuery", e.b.no, mustJSON(signed(e.b, map[string]string{"kycNumber": kyc2})), "1005"},
			{"bad birth date", "/v1/vexora/kycApplyFor", e.a.no, mustJSON(signed(e.a, map[string]string{"userId": "x", "dateOfBirth": "1990-04-12"})), "1002"},
			{"bad email", "/v1/vexora/kycApplyFor", e.a.no, mustJSON(signed(e.a, map[string]string{"userId": "x", "email": "not-mail"})), "1002"},
			{"unknown parameter", "/v1/vexora/kycApplyFor", e.a.no, mustJSON(signed(e.a, map[string]string{"userId": "x", "ssn": "1"})), "1002"},
			{"private callback", "/v1/vexora/kycApplyFor", e.a.no, mustJSON(signed(e.a, map[string]string{"userId": "x", "callBackUrl": "ftp://x"})), "1002"},
			{"no userId", "/v1/vexora/kycApplyFor", e.a.no, mustJSON(signed(e.a, map[string]string{"email": "a@b.co"})), "1002"},
		}
		for _, tc := range tests {
			res := e.post(tc.path, tc.merchant, tc.body, "application/json")
			require.Equal(t, tc.code, code(t, res), "%s: %v", tc.name, res)
			require.Equal(t, false, res["success"], tc.name)
			require.NotEmpty(t, res["msg"], tc.name)
		}
		golden(t, "error_signature", e.post("/v1/vexora/kycStatusQuery", e.a.no, mustJSON(signed(e.b, map[string]string{"userId": "jp_user_1"})), "application/json"))
		require.Equal(t, "1005", code(t, e.postJSON("/v1/vexora/kycStatusQuery", e.a, signed(e.a, map[string]string{"userId": "x"}))), "refused applications wrote nothing")
	})
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestSecretRotation: after a rotation the old app secret signs requests
// until the overlap ends; the new one works at once.
func TestSecretRotation(t *testing.T) {
	t.Parallel()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 1 << 20, MaxImagePixels: 4_000_000}
	a, srv := apptest.Start(t, cfg)
	e := &env{t: t, srv: srv}
	c, err := a.Merchants.Create(context.Background(), "M", "test")
	require.NoError(t, err)
	old := merchant{no: c.Merchant.MerchantNo, secret: c.VexoraAppSecret}
	query := func(m merchant) string {
		return code(t, e.postJSON("/v1/vexora/kycStatusQuery", m, signed(m, map[string]string{"userId": "nobody"})))
	}
	require.NotEqual(t, CodeSignatureForTest, query(old))

	secret, until, err := a.Merchants.RotateDialectSecret(context.Background(), c.Merchant.ID, "vexora", time.Hour, "test")
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), until, time.Minute)
	fresh := merchant{no: old.no, secret: secret}
	require.NotEqual(t, CodeSignatureForTest, query(fresh), "the new secret works at once")
	require.NotEqual(t, CodeSignatureForTest, query(old), "the old secret works during the overlap")

	newer, _, err := a.Merchants.RotateDialectSecret(context.Background(), c.Merchant.ID, "vexora", 0, "test")
	require.NoError(t, err)
	require.Equal(t, CodeSignatureForTest, query(fresh), "without overlap the previous secret stops at once")
	require.Equal(t, CodeSignatureForTest, query(old))
	require.NotEqual(t, CodeSignatureForTest, query(merchant{no: old.no, secret: newer}))

	_, _, err = a.Merchants.RotateDialectSecret(context.Background(), c.Merchant.ID, kyc.SurfaceCardBinding, time.Hour, "test")
	require.ErrorContains(t, err, "RSA")
}

// CodeSignatureForTest is the code of a bad signature (vexora.CodeSignature).
const CodeSignatureForTest = "1001"

// TestCallbackURLRefusesInternalTargets: with private targets not allowed, a
// callBackUrl that points inward is a parameter error naming the field and
// the rule (issue 17).
func TestCallbackURLRefusesInternalTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DBs(t)[0], func(c *config.Config) { c.WebhookAllowPrivate, c.WebhookLookup = false, kyctest.Lookup })
	for i, u := range kyctest.InternalTargets {
		res := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": fmt.Sprint("u", i), "callBackUrl": u}))
		require.Equal(t, "1002", code(t, res), "%s: %v", u, res)
		require.Contains(t, res["msg"], "callBackUrl: url host", u)
	}
	res := e.postJSON("/v1/vexora/kycApplyFor", e.a, signed(e.a, map[string]string{"userId": "public", "callBackUrl": "https://merchant.example/kyc"}))
	require.Equal(t, "0000", code(t, res), "%v", res)
}
