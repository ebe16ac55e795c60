package httpmw_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/tracing"
)

func TestWrap(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		require.NotEmpty(t, httpmw.RequestID(r.Context()))
		w.WriteHeader(http.StatusTeapot)
	})
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	h := httpmw.Wrap(mux, slog.New(slog.NewJSONHandler(&logs, nil)), httpmw.NewMetrics(reg), nil)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/things/secret-user@example.com?email=x@y.z", nil))
	require.Equal(t, http.StatusTeapot, rec.Code)
	require.True(t, strings.HasPrefix(rec.Header().Get("X-Request-Id"), "req_"))
	require.Contains(t, logs.String(), `"route":"GET /v1/things/{id}"`)
	require.NotContains(t, logs.String(), "secret-user", "logs carry the route pattern, not the path")
	require.NotContains(t, logs.String(), "x@y.z")

	req := httptest.NewRequest(http.MethodGet, "/v1/things/1", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, "abc-123", rec.Header().Get("X-Request-Id"))
	req.Header.Set("X-Request-Id", "evil\nheader")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.NotEqual(t, "evil\nheader", rec.Header().Get("X-Request-Id"))

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Contains(t, rec.Body.String(), `"code":"internal"`)
	require.NotContains(t, rec.Body.String(), "kaboom", "panic values stay out of responses")
	require.Contains(t, logs.String(), "panic serving request")

	require.Equal(t, 1, testutil.CollectAndCount(reg, "openkyc_http_requests_in_flight"))
	n, err := testutil.GatherAndCount(reg, "openkyc_http_request_duration_seconds")
	require.NoError(t, err)
	require.Equal(t, 2, n, "one series per route and status")
}

// BenchmarkWrap: what the middleware costs per request with tracing off
// (the default) and on (every request sampled, spans batched to an exporter
// that drops them), against the bare handler.
func BenchmarkWrap(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/verifications/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{}`)) })
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	on := tracing.With(sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter())), false)
	b.Cleanup(func() { _ = on.Shutdown(context.Background()) })
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare handler", mux},
		{"tracing off", httpmw.Wrap(mux, log, httpmw.NewMetrics(prometheus.NewRegistry()), nil)},
		{"tracing on", httpmw.Wrap(mux, log, httpmw.NewMetrics(prometheus.NewRegistry()), on)},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/v1/verifications/ver_1", nil)
			for b.Loop() {
				c.h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
