package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/openkyc/openkyc/internal/tracing"
)

func TestConfig(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	require.False(t, tracing.Config{}.Enabled(), "off by default")
	require.True(t, tracing.Config{Endpoint: "http://127.0.0.1:4318"}.Enabled())
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
	require.True(t, tracing.Config{}.Enabled(), "the standard variable turns it on")
	t.Setenv("OTEL_SDK_DISABLED", "true")
	require.False(t, tracing.Config{Endpoint: "http://127.0.0.1:4318"}.Enabled(), "OTEL_SDK_DISABLED wins")
	for _, bad := range []string{"collector:4318", "ftp://x", "http://", "://"} {
		err := tracing.Config{Endpoint: bad}.Validate()
		require.ErrorContains(t, err, "otel-endpoint", bad)
	}
	p, err := tracing.New(context.Background(), tracing.Config{})
	require.NoError(t, err)
	require.False(t, p.Enabled())
}

func TestStartAndPropagation(t *testing.T) {
	t.Parallel()
	// outside a trace: nothing
	ctx, sp := tracing.Start(context.Background(), "orphan")
	require.False(t, sp.SpanContext().IsValid())
	require.Empty(t, tracing.TraceParent(ctx))
	require.Equal(t, context.Background(), tracing.WithParent(context.Background(), ""))

	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, root := tp.Tracer("test").Start(context.Background(), "root")
	cctx, child := tracing.Start(ctx, "child")
	tracing.End(child, context.DeadlineExceeded)
	// a job's row keeps the traceparent; the job's run continues the trace
	tpHeader := tracing.TraceParent(cctx)
	require.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`, tpHeader)
	jctx, job := tp.Tracer("test").Start(tracing.WithParent(context.Background(), tpHeader), "job")
	job.End()
	root.End()
	require.Equal(t, root.SpanContext().TraceID(), job.SpanContext().TraceID())
	spans := rec.Ended()
	require.Len(t, spans, 3)
	require.Equal(t, "child", spans[0].Name())
	require.Equal(t, root.SpanContext().SpanID(), spans[0].Parent().SpanID())
	require.Equal(t, "Error", spans[0].Status().Code.String())
	require.Equal(t, child.SpanContext().SpanID(), spans[1].Parent().SpanID(), "the job is the child of the span that enqueued it")
	require.True(t, spans[1].Parent().IsRemote())

	// logs name the trace and span
	var buf bytes.Buffer
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(&buf, nil))).With("k", "v")
	log.InfoContext(jctx, "in a job")
	log.Info("no context")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	var first, second map[string]any
	require.NoError(t, json.Unmarshal(lines[0], &first))
	require.NoError(t, json.Unmarshal(lines[1], &second))
	require.Equal(t, job.SpanContext().TraceID().String(), first["trace_id"])
	require.Equal(t, job.SpanContext().SpanID().String(), first["span_id"])
	require.Equal(t, "v", first["k"])
	require.NotContains(t, second, "trace_id")
}

func TestNoteMerchantOnlyWhenEnabled(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, sp := tp.Tracer("test").Start(context.Background(), "request")
	tracing.NoteMerchant(ctx, "mer_1") // the context was not marked: no attribute
	sp.End()
	for _, kv := range rec.Ended()[0].Attributes() {
		require.NotEqual(t, tracing.MerchantKey, kv.Key)
	}
	require.Equal(t, ctx, tracing.Off().WithMerchantAttribute(ctx), "an off provider marks nothing")
}
