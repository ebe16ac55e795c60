package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/config"
)

func TestServeAndGracefulShutdown(t *testing.T) {
	t.Parallel()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 1 << 20, MaxImagePixels: 1 << 20, ShutdownTimeout: 5 * time.Second}
	require.NoError(t, cfg.Validate())
	var logs bytes.Buffer
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	require.NoError(t, err)
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/v1/openapi.json"} {
		res, err := http.Get(base + path)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, path)
	}
	res, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(t, string(body), `openkyc_http_request_duration_seconds_bucket{code="200",method="GET",route="GET /healthz"`)
	require.Contains(t, string(body), "openkyc_decode_memory_bytes 5.36870912e+08")
	require.Contains(t, string(body), "openkyc_decode_memory_in_use_bytes 0")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down")
	}
	require.Contains(t, logs.String(), "shutting down")
}

func TestReadyzReportsDatabaseDown(t *testing.T) {
	t.Parallel()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 1 << 20, MaxImagePixels: 1 << 20}
	require.NoError(t, cfg.Validate())
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	h := a.Handler()
	require.NoError(t, a.Store.Close())
	rec := newRecorder()
	h.ServeHTTP(rec, mustReq(t, "/readyz"))
	require.Equal(t, http.StatusServiceUnavailable, rec.code)
	require.Contains(t, rec.body.String(), "database unreachable")
}

type recorder struct {
	hdr  http.Header
	code int
	body bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{hdr: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.hdr }
func (r *recorder) WriteHeader(c int)           { r.code = c }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func mustReq(t *testing.T, path string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, path, nil)
	require.NoError(t, err)
	return req
}

// TestReadyzDegraded: a replica without lists, OCR pieces or face models
// still serves (200) but says it is degraded, and why.
func TestReadyzDegraded(t *testing.T) {
	t.Parallel()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 1 << 20, MaxImagePixels: 1 << 20, AssetsDir: t.TempDir()}
	require.NoError(t, cfg.Validate())
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	rec := newRecorder()
	a.Handler().ServeHTTP(rec, mustReq(t, "/readyz"))
	require.Equal(t, http.StatusOK, rec.code)
	var body struct {
		Status  string   `json:"status"`
		Reasons []string `json:"reasons"`
	}
	require.NoError(t, json.Unmarshal(rec.body.Bytes(), &body))
	require.Equal(t, "degraded", body.Status)
	require.Len(t, body.Reasons, 3)
	require.Contains(t, body.Reasons[0], "no sanctions lists loaded")
	require.Contains(t, body.Reasons[1], "document.mrz")
	require.Contains(t, body.Reasons[2], "face")
}
