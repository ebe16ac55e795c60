package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/openkyc/openkyc/internal/analytics"

	"github.com/openkyc/openkyc/internal/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"

	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/jobs"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Events a native endpoint may subscribe to.
var Events = []string{"verification.submitted", "verification.review", "verification.completed", "verification.resubmission_requested", "screening.alert",
	"applicant.deleted", "applicant.restored", "applicant.erased", "applicant.documents_erased"}

// DefaultSchedule is the wait before each retry: about 30 s, 2 min, 10 min,
// 1 h, 6 h and 24 h; after the last the delivery is dead.
var DefaultSchedule = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}

// Target is one place an event is delivered to.
type Target struct {
	ID  string `json:"ID"` // endpoint id, or a stable id of a dialect callback target
	URL string `json:"URL"`
	Ack string `json:"Ack,omitempty"` // dialects: what acknowledges a delivery (see Formatter.Accepted)
}

// Formatter shapes and signs the deliveries of one API surface. The native
// formatter sends Standard Webhooks to the merchant's endpoints; each dialect
// registers one that sends its provider's callback to the URL the merchant
// gave with the request, in the provider's format and signature.
type Formatter interface {
	// Targets returns where an event goes (none: not delivered by this surface).
	Targets(ctx context.Context, ev kyc.Event) ([]Target, error)
	// Request builds the request for one target; attempt starts at 1.
	Request(ctx context.Context, ev kyc.Event, t Target, attempt int) (*http.Request, error)
	// Accepted reports whether the receiver acknowledged the delivery to t.
	Accepted(t Target, status int, body []byte) bool
}

// Config configures the service.
type Config struct {
	Timeout      time.Duration   // per attempt (default 5 s)
	Schedule     []time.Duration // retry waits (default DefaultSchedule)
	AllowPrivate bool            // deliver to private/loopback addresses (development, tests)
	Lookup       LookupFunc      // resolves endpoint hosts at registration (nil: the system resolver)
	Now          func() time.Time
}

// Service manages endpoints and delivers events.
type Service struct {
	store      *store.Store
	keys       *crypto.Keyring
	client     *http.Client
	cfg        Config
	log        *slog.Logger
	formatters map[string]Formatter // by surface; "native" always
}

// New returns the webhook service with the native formatter registered.
func New(s *store.Store, kr *crypto.Keyring, log *slog.Logger, cfg Config) *Service {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if len(cfg.Schedule) == 0 {
		cfg.Schedule = DefaultSchedule
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	svc := &Service{store: s, keys: kr, client: NewClient(cfg.Timeout, cfg.AllowPrivate), cfg: cfg, log: log, formatters: map[string]Formatter{}}
	svc.formatters[string(kyc.SurfaceNative)] = native{svc}
	return svc
}

// Register adds the formatter of a dialect surface.
func (s *Service) Register(surface kyc.Surface, f Formatter) { s.formatters[string(surface)] = f }

// Kinds are the job kinds the service handles.
func (s *Service) Kinds() []jobs.Kind {
	return []jobs.Kind{
		{Name: jobs.KindDispatch, Timeout: 30 * time.Second, MaxAttempts: 10, Handle: s.dispatch},
		{Name: jobs.KindDeliver, Timeout: s.cfg.Timeout + 10*time.Second, MaxAttempts: len(s.cfg.Schedule) + 1, Handle: s.deliver,
			Backoff: func(attempt int) time.Duration { return s.cfg.Schedule[min(attempt, len(s.cfg.Schedule))-1] }},
	}
}

type deliverPayload struct {
	Surface string `json:"surface"`
	Target  Target `json:"target"`
}

// dispatch fans an event out to one delivery job per target of every
// formatter. Job ids derive from event and target, so a repeated dispatch
// enqueues nothing twice.
func (s *Service) dispatch(ctx context.Context, j jobs.Job) error {
	ev, err := s.store.EventByID(ctx, j.MerchantID, j.SubjectID)
	if err != nil {
		if kyc.IsNotFound(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	var out []store.Job
	now := s.cfg.Now()
	for surface, f := range s.formatters {
		targets, err := f.Targets(ctx, ev)
		if err != nil {
			return err
		}
		for _, t := range targets {
			id := "job_deliver_" + ev.ID + "_" + shortHash(surface+"|"+t.ID)
			out = append(out, jobs.New(id, jobs.KindDeliver, ev.MerchantID, ev.ID, deliverPayload{Surface: surface, Target: t}, now))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return s.store.InsertJobs(ctx, out...)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// deliver sends one event to one target and logs the attempt.
func (s *Service) deliver(ctx context.Context, j jobs.Job) error {
	var p deliverPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("delivery payload: %w", err))
	}
	f, ok := s.formatters[p.Surface]
	if !ok {
		return jobs.Permanent(fmt.Errorf("no formatter for surface %q", p.Surface))
	}
	ev, err := s.store.EventByID(ctx, j.MerchantID, j.SubjectID)
	if err != nil {
		if kyc.IsNotFound(err) {
			return jobs.Permanent(err)
		}
		return err
	}
	req, err := f.Request(ctx, ev, p.Target, j.Attempts)
	if err != nil {
		if kyc.IsNotFound(err) { // the endpoint was deleted
			return jobs.Permanent(err)
		}
		return err
	}
	sctx, span := tracing.Start(ctx, "webhook.deliver", attribute.String("openkyc.webhook.surface", string(p.Surface)),
		attribute.String("openkyc.webhook.endpoint_id", p.Target.ID), attribute.String("openkyc.webhook.event_type", ev.Type),
		attribute.Int("openkyc.webhook.attempt", j.Attempts), attribute.String("server.address", req.URL.Hostname()))
	tracing.Inject(sctx, propagation.HeaderCarrier(req.Header)) // the receiver may continue the trace
	start := s.cfg.Now()
	status, body, sendErr := s.send(req)
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if sendErr != nil {
		span.SetStatus(codes.Error, "not delivered")
	} else if status >= 300 {
		span.SetStatus(codes.Error, fmt.Sprintf("receiver answered %d", status))
	}
	span.End()
	d := store.Delivery{ID: kyc.NewID("dlv_"), MerchantID: j.MerchantID, EndpointID: p.Target.ID, EventID: ev.ID, Attempt: j.Attempts,
		StatusCode: status, Duration: time.Since(start), CreatedAt: start, ResponsePreview: Preview(body, 256)}
	switch {
	case sendErr != nil:
		d.Error = sendErr.Error()
	case status >= 300 && status < 400:
		d.Error = "redirect not followed"
	case !f.Accepted(p.Target, status, body):
		d.Error = fmt.Sprintf("receiver answered %d", status)
	}
	// The log entry commits with the job's outcome.
	jobs.Defer(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.InsertDelivery(ctx, d); err != nil {
			return err
		}
		return tx.AddCounts(ctx, d.ID, deliveryCounts(d))
	})
	if d.Error != "" {
		if errors.Is(sendErr, ErrForbiddenTarget) {
			return jobs.Permanent(errors.New(d.Error))
		}
		return errors.New(d.Error)
	}
	return nil
}

// Preview is the start of a body as printable text, at most n bytes, for
// logs shown to staff: control characters become '.', and a cut is marked.
func Preview(b []byte, n int) string {
	cut := len(b) > n
	if cut {
		b = b[:n]
	}
	var sb strings.Builder
	for _, r := range strings.ToValidUTF8(string(b), "") {
		if unicode.IsPrint(r) || r == ' ' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('.')
		}
	}
	if cut {
		sb.WriteString("…")
	}
	return sb.String()
}

func (s *Service) send(req *http.Request) (int, []byte, error) {
	res, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	return res.StatusCode, body, nil
}

// native is the Standard Webhooks formatter of the native API.
type native struct{ s *Service }

// Message is the body of a native webhook.
type Message struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

func (n native) Targets(ctx context.Context, ev kyc.Event) ([]Target, error) {
	if !slices.Contains(Events, ev.Type) {
		return nil, nil
	}
	eps, err := n.s.store.WebhookEndpoints(ctx, ev.MerchantID)
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, e := range eps {
		if len(e.Events) == 0 || slices.Contains(e.Events, ev.Type) {
			out = append(out, Target{ID: e.ID, URL: e.URL})
		}
	}
	return out, nil
}

func (n native) Request(ctx context.Context, ev kyc.Event, t Target, _ int) (*http.Request, error) {
	ep, err := n.s.store.WebhookEndpointByID(ctx, ev.MerchantID, t.ID)
	if err != nil {
		return nil, err
	}
	secrets, err := n.s.secrets(ep)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(Message{Type: ev.Type, Timestamp: ev.CreatedAt.UTC(), Data: ev.Payload})
	if err != nil {
		return nil, err
	}
	now := n.s.cfg.Now()
	sig, err := Sign(ev.ID, now, body, secrets...)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "openkyc-webhooks/1")
	req.Header.Set("webhook-id", ev.ID)
	req.Header.Set("webhook-timestamp", fmt.Sprint(now.Unix()))
	req.Header.Set("webhook-signature", sig)
	return req, nil
}

func (native) Accepted(_ Target, status int, _ []byte) bool { return status >= 200 && status < 300 }

// deliveryCounts are the analytics increments of one delivery attempt:
// sent, delivered, a retry, and its latency.
func deliveryCounts(d store.Delivery) []store.Count {
	day := store.Day(d.CreatedAt)
	pre := analytics.MetricWebhook + d.EndpointID
	out := []store.Count{{MerchantID: d.MerchantID, Day: day, Metric: pre + analytics.WebhookSent, N: 1},
		{MerchantID: d.MerchantID, Day: day, Metric: pre + analytics.WebhookLatency + strconv.Itoa(analytics.LogBucket(float64(d.Duration.Milliseconds()))), N: 1}}
	if d.Error == "" {
		out = append(out, store.Count{MerchantID: d.MerchantID, Day: day, Metric: pre + analytics.WebhookOK, N: 1})
	}
	if d.Attempt > 1 {
		out = append(out, store.Count{MerchantID: d.MerchantID, Day: day, Metric: pre + analytics.WebhookRetry, N: 1})
	}
	return out
}

// secrets returns the endpoint's secret and, during a rotation, the old one.
func (s *Service) secrets(ep store.WebhookEndpoint) ([]string, error) {
	cur, err := s.keys.Open(ep.SealedSecret, []byte("webhook:"+ep.ID))
	if err != nil {
		return nil, err
	}
	out := []string{string(cur)}
	if len(ep.SealedOld) > 0 && s.cfg.Now().Before(ep.OldUntil) {
		old, err := s.keys.Open(ep.SealedOld, []byte("webhook:"+ep.ID))
		if err != nil {
			return nil, err
		}
		out = append(out, string(old))
	}
	return out, nil
}

// Endpoint is an endpoint as shown to the merchant.
type Endpoint struct {
	ID        string
	URL       string
	Events    []string
	CreatedAt time.Time
}

// CreateEndpoint registers an endpoint and returns it with its secret, which
// is shown only this once.
func (s *Service) CreateEndpoint(ctx context.Context, p kyc.Principal, rawURL string, events []string) (Endpoint, string, error) {
	u, err := URLValidator{Lookup: s.cfg.Lookup}.Validate(ctx, rawURL, s.cfg.AllowPrivate)
	if err != nil {
		return Endpoint{}, "", kyc.Invalid("url", "url", "%s", err.Error())
	}
	for i, e := range events {
		if !slices.Contains(Events, e) {
			return Endpoint{}, "", kyc.Invalid(fmt.Sprintf("events[%d]", i), "enum", "events may be %s", strings.Join(Events, ", "))
		}
	}
	slices.Sort(events)
	events = slices.Compact(events)
	secret := NewSecret()
	now := s.cfg.Now().UTC().Truncate(time.Microsecond)
	e := store.WebhookEndpoint{ID: kyc.NewID("whk_"), MerchantID: p.MerchantID, URL: u, Events: events, CreatedAt: now}
	if e.SealedSecret, err = s.keys.Seal([]byte(secret), []byte("webhook:"+e.ID)); err != nil {
		return Endpoint{}, "", err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		return audit(ctx, tx, p, now, "webhook.create", e.ID, map[string]any{"events": events})
	})
	return Endpoint{ID: e.ID, URL: u, Events: nonNil(events), CreatedAt: now}, secret, err
}

// RotateSecret gives an endpoint a new secret; deliveries are signed with
// both the new and the old one for the next 24 hours.
func (s *Service) RotateSecret(ctx context.Context, p kyc.Principal, id string) (string, error) {
	ep, err := s.store.WebhookEndpointByID(ctx, p.MerchantID, id)
	if err != nil {
		return "", err
	}
	secret := NewSecret()
	sealed, err := s.keys.Seal([]byte(secret), []byte("webhook:"+id))
	if err != nil {
		return "", err
	}
	now := s.cfg.Now().UTC().Truncate(time.Microsecond)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RotateWebhookSecret(ctx, p.MerchantID, id, sealed, ep.SealedSecret, now.Add(24*time.Hour)); err != nil {
			return err
		}
		return audit(ctx, tx, p, now, "webhook.rotate_secret", id, map[string]any{})
	})
	return secret, err
}

// ListEndpoints lists the merchant's endpoints.
func (s *Service) ListEndpoints(ctx context.Context, p kyc.Principal) ([]Endpoint, error) {
	eps, err := s.store.WebhookEndpoints(ctx, p.MerchantID)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, 0, len(eps))
	for _, e := range eps {
		out = append(out, Endpoint{ID: e.ID, URL: e.URL, Events: nonNil(e.Events), CreatedAt: e.CreatedAt})
	}
	return out, nil
}

// DeleteEndpoint stops deliveries to an endpoint.
func (s *Service) DeleteEndpoint(ctx context.Context, p kyc.Principal, id string) error {
	now := s.cfg.Now().UTC()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteWebhookEndpoint(ctx, p.MerchantID, id, now); err != nil {
			return err
		}
		return audit(ctx, tx, p, now, "webhook.delete", id, map[string]any{})
	})
}

// Deliveries returns an endpoint's delivery log, newest first: limit
// entries, 1 to 200 (0 means 50), like every list.
func (s *Service) Deliveries(ctx context.Context, p kyc.Principal, endpointID string, limit int) ([]store.Delivery, error) {
	switch {
	case limit == 0:
		limit = 50
	case limit < 1 || limit > 200:
		return nil, kyc.Invalid("limit", "range", "limit must be between 1 and 200")
	}
	if _, err := s.store.WebhookEndpointByID(ctx, p.MerchantID, endpointID); err != nil {
		return nil, err
	}
	return s.store.Deliveries(ctx, p.MerchantID, endpointID, limit)
}

// Redeliver sends an event again to every current target, with the same
// webhook-id, whatever happened to earlier deliveries. The delivery jobs and
// the audit entry (webhook.redelivered) are written in one transaction.
func (s *Service) Redeliver(ctx context.Context, p kyc.Principal, eventID string) error {
	ev, err := s.store.EventByID(ctx, p.MerchantID, eventID)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	var out []store.Job
	for surface, f := range s.formatters {
		targets, err := f.Targets(ctx, ev)
		if err != nil {
			return err
		}
		for _, t := range targets {
			id := fmt.Sprintf("job_redeliver_%s_%s_%d", ev.ID, shortHash(surface+"|"+t.ID), now.UnixNano())
			out = append(out, jobs.New(id, jobs.KindDeliver, ev.MerchantID, ev.ID, deliverPayload{Surface: surface, Target: t}, now))
		}
	}
	if len(out) == 0 {
		return kyc.Conflict("no_targets", "no endpoint is subscribed to this event")
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		for _, j := range out {
			if err := tx.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, p, now.UTC(), "webhook.redelivered", "event", ev.ID, map[string]any{})
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func audit(ctx context.Context, tx *store.Tx, p kyc.Principal, at time.Time, action, subjectID string, data any) error {
	return tx.Audit(ctx, p, at, action, "webhook_endpoint", subjectID, data)
}
