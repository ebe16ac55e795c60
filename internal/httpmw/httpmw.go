// Package httpmw holds the HTTP middleware every surface shares: request ids,
// panic recovery, access logs without PII, and Prometheus metrics.
package httpmw

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/tracing"
)

type ctxKey struct{}

// RequestID returns the request id stored by WithRequestID.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "req_" + hex.EncodeToString(b)
}

func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// statusWriter records the status code and bytes written.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Metrics are the HTTP metrics.
type Metrics struct {
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

// NewMetrics registers the HTTP metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "openkyc_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "code"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "openkyc_http_requests_in_flight", Help: "HTTP requests being served."}),
	}
	reg.MustRegister(m.duration, m.inflight)
	return m
}

// Wrap is the outermost middleware: it assigns the request id (or keeps a
// well-formed X-Request-Id from the caller), recovers panics into a 500,
// observes latency by route pattern, traces the request (tp enabled: one
// server span, the child of a caller's traceparent) and writes one access
// log line. Logs and spans hold the route pattern, never the raw path or
// query, which may carry personal data.
func Wrap(next http.Handler, log *slog.Logger, m *Metrics, tp *tracing.Provider) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), ctxKey{}, id)
		var span trace.Span
		if tp.Enabled() {
			ctx, span = tp.Tracer().Start(tracing.Extract(ctx, propagation.HeaderCarrier(r.Header)), r.Method,
				trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
					attribute.String("http.request.method", r.Method), attribute.String("openkyc.request_id", id)))
			ctx = tp.WithMerchantAttribute(ctx)
		}
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		if m != nil {
			m.inflight.Inc()
			defer m.inflight.Dec()
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(ctx, "panic serving request", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					sw.Header().Set("Content-Type", "application/json")
					sw.WriteHeader(http.StatusInternalServerError)
					_, _ = sw.Write([]byte(`{"error":{"code":"internal","message":"internal error","request_id":"` + id + `"}}`))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			elapsed := time.Since(start)
			if m != nil {
				m.duration.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Observe(elapsed.Seconds())
			}
			if span != nil {
				endSpan(span, r, route, sw.status)
			}
			log.LogAttrs(ctx, slog.LevelInfo, "http request",
				slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("duration", elapsed))
		}()
		next.ServeHTTP(sw, r)
	})
}

// endSpan names a request's span after its route ("POST
// /v1/verifications/{id}/submit"), records the status and ends it.
func endSpan(span trace.Span, r *http.Request, route string, status int) {
	name := route
	if r.Pattern == "" {
		name = r.Method
	} else if !strings.Contains(r.Pattern, " ") {
		name = r.Method + " " + r.Pattern
	}
	span.SetName(name)
	span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// SetRetryAfter sets the Retry-After header of a rate-limited answer.
func SetRetryAfter(w http.ResponseWriter, err error) {
	if s, ok := kyc.RetryAfterSeconds(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(s))
	}
}
