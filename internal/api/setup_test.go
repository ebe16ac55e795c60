package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/tracing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// env is one running server on loopback with two merchants.
type env struct {
	t       testing.TB
	app     *app.App
	srv     *httptest.Server
	dataDir string
	keyA    string
	keyB    string
	logs    *kyctest.SyncBuffer
}

func newEnv(t *testing.T, db kyctest.DB, mutate ...func(*config.Config)) *env {
	return newEnvB(t, db, mutate...)
}

func newEnvB(t testing.TB, db kyctest.DB, mutate ...func(*config.Config)) *env {
	t.Helper()
	dir := t.TempDir()
	// the built-in levels as a merchant without the engines this directory
	// lacks would set them up (failsafe_test.go keeps the product's)
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: db.URL, MaxUploadBytes: 2 << 20, MaxImagePixels: 4_000_000,
		WebhookLookup: kyctest.Lookup, BuiltInLevels: apptest.EnginelessLevel}
	for _, m := range mutate {
		m(&cfg)
	}
	require.NoError(t, cfg.Validate())
	logs := &kyctest.SyncBuffer{}
	a, err := app.Open(context.Background(), cfg, slog.New(tracing.LogHandler(slog.NewJSONHandler(logs, nil))))
	require.NoError(t, err)
	srv := httptest.NewServer(a.Handler())
	wctx, stopWorkers := context.WithCancel(context.Background())
	workersDone := make(chan struct{})
	if cfg.Workers {
		go func() { defer close(workersDone); _ = a.RunWorkers(wctx) }()
	} else {
		close(workersDone)
	}
	t.Cleanup(func() { stopWorkers(); <-workersDone; srv.Close(); a.Close() })
	e := &env{t: t, app: a, srv: srv, dataDir: dir, logs: logs}
	ma, err := a.Merchants.Create(context.Background(), "Merchant A", "test")
	require.NoError(t, err)
	mb, err := a.Merchants.Create(context.Background(), "Merchant B", "test")
	require.NoError(t, err)
	e.keyA, e.keyB = ma.APIKey, mb.APIKey
	return e
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

func (r resp) errField(t *testing.T) (code, field string) {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	require.True(t, ok, "not an error body: %s", r.Body)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

func (e *env) do(method, path, key string, body io.Reader, hdr map[string]string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	require.NoError(e.t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (e *env) postJSON(path, key, body string, hdr ...map[string]string) resp {
	var h map[string]string
	if len(hdr) > 0 {
		h = hdr[0]
	}
	return e.do(http.MethodPost, path, key, bytes.NewBufferString(body), h)
}

func (e *env) get(path, key string) resp { return e.do(http.MethodGet, path, key, nil, nil) }

// multipartBody builds a multipart body with the fields in order.
func multipartBody(t testing.TB, fields ...[2]any) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		name := f[0].(string)
		switch v := f[1].(type) {
		case string:
			require.NoError(t, w.WriteField(name, v))
		case []byte:
			fw, err := w.CreateFormFile(name, "upload.bin")
			require.NoError(t, err)
			_, err = fw.Write(v)
			require.NoError(t, err)
		}
	}
	require.NoError(t, w.Close())
	return &b, w.FormDataContentType()
}

func (e *env) upload(applicantID, key string, fields ...[2]any) resp {
	body, ct := multipartBody(e.t, fields...)
	return e.do(http.MethodPost, "/v1/applicants/"+applicantID+"/documents", key, body, map[string]string{"Content-Type": ct})
}

func testJPEG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}))
	return b.Bytes()
}

// noiseJPEG is an incompressible JPEG, for size limits.
func noiseJPEG(t testing.TB, w, h int) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	_, _ = rand.Read(img.Pix)
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}))
	return b.Bytes()
}

const annaBody = `{"external_user_id":"user-1","first_name":"Anna","last_name":"Eriksson","date_of_birth":"1990-04-12",
 "nationality":"SWE","email":"anna.eriksson@Example.com","phone":"+46 70 123 45 67","document_number":"XK4471902",
 "address":{"line1":"Storgatan 1","city":"Stockholm","postal_code":"111 22","country":"SE"}}`

func (e *env) createApplicant(key, body string) string {
	e.t.Helper()
	r := e.postJSON("/v1/applicants", key, body)
	require.Contains(e.t, []int{200, 201}, r.Status, "%s", r.Body)
	return r.json(e.t)["id"].(string)
}

var (
	idRE   = regexp.MustCompile(`"((?:apl|ver|doc|chk|req)_[0-9a-z]+)"`)
	timeRE = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`)
)

// golden compares a wire body, with ids and times masked, to testdata/name.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(body, &v), "%s", body)
	var pretty bytes.Buffer
	enc := json.NewEncoder(&pretty)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	masked := idRE.ReplaceAllStringFunc(strings.TrimSuffix(pretty.String(), "\n"), func(s string) string { return `"` + s[1:4] + `_<id>"` })
	masked = timeRE.ReplaceAllString(masked, `"<time>"`) + "\n"
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(masked), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/api -update to create %s", path)
	if string(want) == masked {
		return
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(masked, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Fatalf("%s differs at line %d:\n want %q\n got  %q\n(run go test ./internal/api -update if the change is intended)", path, i+1, w, g)
		}
	}
}

func principalOf(t testing.TB, e *env, key string) kyc.Principal {
	p, err := e.app.Merchants.Authenticate(context.Background(), key)
	require.NoError(t, err)
	return p
}
