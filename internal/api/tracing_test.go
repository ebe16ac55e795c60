package api_test

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/tracing"
)

// span is what the collector keeps of an exported span.
type span struct {
	name, trace, id, parent string
	attrs                   map[string]string
	status                  int32
}

// collector is an in-process OTLP/HTTP trace receiver.
type collector struct {
	srv   *httptest.Server
	mu    sync.Mutex
	spans []span
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("collector: unexpected %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Errorf("collector: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					sp := span{name: s.Name, trace: hex.EncodeToString(s.TraceId), id: hex.EncodeToString(s.SpanId),
						parent: hex.EncodeToString(s.ParentSpanId), attrs: map[string]string{}, status: int32(s.GetStatus().GetCode())}
					for _, kv := range s.Attributes {
						if v, ok := kv.Value.Value.(*commonpb.AnyValue_IntValue); ok {
							sp.attrs[kv.Key] = strconv.FormatInt(v.IntValue, 10)
						} else {
							sp.attrs[kv.Key] = kv.Value.GetStringValue()
						}
					}
					c.spans = append(c.spans, sp)
				}
			}
		}
		c.mu.Unlock()
		b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(b)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *collector) all() []span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.spans)
}

// TestTracingSpanTree follows one verification from the submit request to
// its webhook through the spans exported to an in-process collector: the
// request's span, the job it enqueued (a child, across the jobs table),
// each check inside it, the jobs the decision enqueued and the delivery.
func TestTracingSpanTree(t *testing.T) {
	t.Parallel()
	col := newCollector(t)
	e := newEnv(t, kyctest.DBs(t)[0], withWorkers, func(c *config.Config) {
		c.Tracing = tracing.Config{Endpoint: col.srv.URL, MerchantAttribute: true}
	})
	require.True(t, e.app.Tracing.Enabled())
	rcv := newReceiver(t)
	e.registerWebhook(rcv)
	vid := e.submitNew(e.applicantWithDocs(person("tr1", "tr1@example.com"), "id_front", "selfie"), "trace-1")
	e.settle(vid)
	waitUntil(t, "the completed webhook", func() bool { return slices.Contains(rcv.types(vid), "verification.completed") })

	byID := map[string]span{}
	var submit span
	// complete: two deliveries whose every ancestor up to the request is
	// exported (a job's span ends after its outcome commits, after its
	// children: they may come in an earlier batch)
	rooted := func(s span) bool {
		for s.parent != "" {
			p, ok := byID[s.parent]
			if !ok {
				return false
			}
			s = p
		}
		return s.id == submit.id
	}
	waitUntil(t, "the delivery spans and their ancestors", func() bool {
		require.NoError(t, e.app.Tracing.ForceFlush(context.Background()))
		for _, s := range col.all() {
			byID[s.id] = s
			if s.name == "POST /v1/verifications/{id}/submit" {
				submit = s
			}
		}
		n := 0
		for _, s := range byID {
			if s.name == "webhook.deliver" && s.trace == submit.trace && rooted(s) {
				n++
			}
		}
		return submit.id != "" && n >= 2
	})
	// the request's span: route, status, the merchant (enabled here)
	require.Equal(t, "POST /v1/verifications/{id}/submit", submit.attrs["http.route"])
	require.NotEmpty(t, submit.attrs["openkyc.merchant_id"])
	require.Empty(t, submit.parent, "no traceparent came with the request: a root")
	// ancestors of a span, up to its root
	chain := func(s span) []string {
		var names []string
		for s.parent != "" {
			p, ok := byID[s.parent]
			require.True(t, ok, "parent of %s exported", s.name)
			names = append(names, p.name)
			s = p
		}
		return names
	}
	var checks, deliveries []span
	var job span
	for _, s := range byID {
		if s.trace != submit.trace {
			continue
		}
		switch {
		case s.name == "job verification.process":
			job = s
		case strings.HasPrefix(s.name, "check "):
			checks = append(checks, s)
		case s.name == "webhook.deliver":
			deliveries = append(deliveries, s)
		}
	}
	require.Equal(t, submit.id, job.parent, "the verification's job continues the request's trace")
	require.Equal(t, submit.attrs["openkyc.merchant_id"], job.attrs["openkyc.merchant_id"])
	kinds := map[string]string{}
	for _, c := range checks {
		require.Equal(t, job.id, c.parent, "%s is a child of the job", c.name)
		kinds[c.attrs["openkyc.check.kind"]] = c.attrs["openkyc.check.status"]
	}
	require.Equal(t, "passed", kinds["documents.required"])
	require.Equal(t, "not_run", kinds["face.match"], "no face models in this directory: the span says so")
	require.Len(t, deliveries, 2, "verification.submitted and verification.completed")
	var viaJob bool
	for _, d := range deliveries {
		c := chain(d)
		require.Equal(t, []string{"job webhook.deliver", "job event.dispatch"}, c[:2], "delivery span, its job, the dispatch job")
		require.Equal(t, "POST /v1/verifications/{id}/submit", c[len(c)-1], "every delivery goes back to the submit request")
		viaJob = viaJob || slices.Contains(c, "job verification.process")
		require.Equal(t, "200", d.attrs["http.response.status_code"])
		require.Zero(t, d.status, "delivered: no error status")
	}
	require.True(t, viaJob, "the completed event's delivery descends from the verification's job")
	// the receiver could continue the trace
	rcv.mu.Lock()
	for _, tp := range rcv.tps {
		require.Contains(t, tp, submit.trace)
	}
	rcv.mu.Unlock()
	t.Logf("%d spans exported, %d checks and %d deliveries in the trace", len(byID), len(checks), len(deliveries))
	// the access log line of the request carries its trace id
	require.Contains(t, e.logs.String(), `"trace_id":"`+submit.trace+`"`)
}
