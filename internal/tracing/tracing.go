// Package tracing exports OpenTelemetry traces over OTLP/HTTP, off by
// default. Two places start traces from the process's provider: the HTTP
// middleware (one server span per request) and the job worker (one span
// per job run, the child of the span that enqueued the job: its W3C
// traceparent travels in the job's row). Everything else starts child
// spans with Start, from the span its context carries, so with tracing off
// (or outside a traced request or job) it records nothing and costs a
// context lookup.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Scope is the instrumentation scope of openkyc's spans.
const Scope = "github.com/openkyc/openkyc"

// Config configures tracing.
type Config struct {
	// Endpoint is the OTLP/HTTP collector (--otel-endpoint): a base URL
	// (http://collector:4318, to which /v1/traces is added) or the full
	// traces URL. Empty: the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
	// OTEL_EXPORTER_OTLP_ENDPOINT; none of them: tracing is off.
	Endpoint string
	// MerchantAttribute adds the merchant id to request and job spans
	// (--otel-merchant-attribute; off: traces name no merchant).
	MerchantAttribute bool
	// Version is the service.version resource attribute.
	Version string
}

// Enabled says whether cfg and the environment turn tracing on.
func (c Config) Enabled() bool {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || strings.EqualFold(os.Getenv("OTEL_TRACES_EXPORTER"), "none") {
		return false
	}
	return c.Endpoint != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != ""
}

// Validate checks the endpoint.
func (c Config) Validate() error {
	if c.Endpoint == "" {
		return nil
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("otel-endpoint: must be an http or https URL (http://collector:4318), got %q", c.Endpoint)
	}
	return nil
}

// Provider is the process's tracer provider: a no-op one when tracing is off.
type Provider struct {
	trace.TracerProvider
	sdk      *sdktrace.TracerProvider
	merchant bool
}

// Off is a provider that records nothing.
func Off() *Provider { return &Provider{TracerProvider: noop.NewTracerProvider()} }

// New builds the provider cfg and the standard OTEL_* variables describe
// (sampler, headers, timeout, service name and resource attributes).
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.Enabled() {
		return Off(), nil
	}
	var opts []otlptracehttp.Option
	if cfg.Endpoint != "" {
		u, _ := url.Parse(cfg.Endpoint)
		if u.Path == "" || u.Path == "/" {
			u.Path = "/v1/traces"
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("otel exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("openkyc"), semconv.ServiceVersion(cfg.Version)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
		resource.WithHost())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("otel resource: %w", err)
	}
	// export failures go to the JSON log, not to the standard logger
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { slog.Warn("exporting traces failed", "error", err.Error()) }))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)) // sampler: OTEL_TRACES_SAMPLER
	return &Provider{TracerProvider: tp, sdk: tp, merchant: cfg.MerchantAttribute}, nil
}

// With wraps an SDK provider the caller built (tests and benchmarks
// export to memory).
func With(tp *sdktrace.TracerProvider, merchantAttribute bool) *Provider {
	return &Provider{TracerProvider: tp, sdk: tp, merchant: merchantAttribute}
}

// Enabled says whether spans are exported.
func (p *Provider) Enabled() bool { return p != nil && p.sdk != nil }

// Shutdown exports the spans still buffered.
func (p *Provider) Shutdown(ctx context.Context) error {
	if !p.Enabled() {
		return nil
	}
	return p.sdk.Shutdown(ctx)
}

// ForceFlush exports the spans ended so far (tests).
func (p *Provider) ForceFlush(ctx context.Context) error {
	if !p.Enabled() {
		return nil
	}
	return p.sdk.ForceFlush(ctx)
}

// Tracer is openkyc's tracer of p.
func (p *Provider) Tracer() trace.Tracer {
	if p == nil {
		return noop.NewTracerProvider().Tracer(Scope)
	}
	return p.TracerProvider.Tracer(Scope)
}

type merchantKey struct{}

// WithMerchantAttribute marks ctx so that NoteMerchant names the merchant
// on its span: when p is configured to.
func (p *Provider) WithMerchantAttribute(ctx context.Context) context.Context {
	if !p.Enabled() || !p.merchant {
		return ctx
	}
	return context.WithValue(ctx, merchantKey{}, true)
}

// MerchantKey is the span attribute naming the merchant.
const MerchantKey = attribute.Key("openkyc.merchant_id")

// NoteMerchant names the merchant a request authenticated as on its span,
// when the operator enabled it (WithMerchantAttribute marked ctx).
func NoteMerchant(ctx context.Context, merchantID string) {
	if on, _ := ctx.Value(merchantKey{}).(bool); on && merchantID != "" {
		trace.SpanFromContext(ctx).SetAttributes(MerchantKey.String(merchantID))
	}
}

// Start starts a child of the span ctx carries, from that span's provider:
// nothing is recorded where no traced request or job is running.
func Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.SpanContext().IsValid() {
		return ctx, parent
	}
	return parent.TracerProvider().Tracer(Scope).Start(ctx, name, trace.WithAttributes(attrs...))
}

// End ends span, marking it failed when err is not nil (the error's text
// only: errors of openkyc name fields and rules, never personal data).
func End(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

var propagator = propagation.TraceContext{}

// TraceParent is the W3C traceparent of the span ctx carries ("" if none):
// what a job's row keeps of the request that enqueued it.
func TraceParent(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	c := propagation.MapCarrier{}
	propagator.Inject(ctx, c)
	return c["traceparent"]
}

// WithParent returns ctx with the remote parent traceparent names (ctx
// unchanged when it is empty or malformed).
func WithParent(ctx context.Context, traceparent string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return propagator.Extract(ctx, propagation.MapCarrier{"traceparent": traceparent})
}

// Extract returns ctx with the remote parent named by a request's headers.
func Extract(ctx context.Context, h propagation.HeaderCarrier) context.Context {
	return propagator.Extract(ctx, h)
}

// Inject writes the traceparent of ctx's span into outgoing headers.
func Inject(ctx context.Context, h propagation.HeaderCarrier) { propagator.Inject(ctx, h) }

// LogHandler adds trace_id and span_id to every record logged with a
// context that carries a span.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (l logHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return l.Handler.Handle(ctx, r)
}

func (l logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{l.Handler.WithAttrs(as)}
}
func (l logHandler) WithGroup(name string) slog.Handler { return logHandler{l.Handler.WithGroup(name)} }
