package verification

import (
	"context"
	"time"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/basic"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/store"
)

// Service is the core's use cases: applicants, documents and the
// verification lifecycle. Every call is scoped to the principal's merchant.
type Service struct {
	store    *store.Store
	keys     *crypto.Keyring
	blobs    *blob.Store
	decoder  *docfile.Decoder // uploads: a short wait for the budget, then busy
	checkDec *docfile.Decoder // checks: the same budget, waiting as long as the job may
	limits   docfile.Limits
	now      func() time.Time
	checkers []check.Checker
	faces    faceGallery
	builtIn  func(name string) (policy.Level, bool)
	metrics  *Metrics
	// applicants answers the blocklist check.
	applicants *applicant.Service
}

// Config configures the service.
type Config struct {
	Limits docfile.Limits
	// DecodeBudget is the process's decoded-image memory, shared with every
	// engine (nil: a budget of docfile.DefaultDecodeMemory).
	DecodeBudget *docfile.Budget
	// DecodeWait is how long an upload waits for its share of the budget
	// before it is refused as busy (default 2 s).
	DecodeWait time.Duration
	Now        func() time.Time
	// Checkers are the engines Process runs; nil means the model-free ones
	// plus Extra, with Dates feeding the age and expiry checks.
	Checkers []check.Checker
	Extra    []check.Checker
	Dates    check.DatesFunc
	// BuiltIn gives the built-in levels a merchant has until it stores its
	// own under the name (nil: policy.BuiltIn).
	BuiltIn func(name string) (policy.Level, bool)
	// Metrics receives the decision metrics (nil: none).
	Metrics *Metrics
	// Applicants is the applicant service the blocklist check asks (nil: one
	// on the same store, keys and clock).
	Applicants *applicant.Service
}

// NewService wires the service.
func NewService(s *store.Store, kr *crypto.Keyring, blobs *blob.Store, cfg Config) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	dec := docfile.NewDecoder(cfg.DecodeBudget, cfg.Limits, cfg.DecodeWait)
	svc := &Service{store: s, keys: kr, blobs: blobs, decoder: dec, checkDec: dec.WithWait(checkDecodeWait), limits: cfg.Limits, now: now,
		checkers: cfg.Checkers, builtIn: cfg.BuiltIn, metrics: cfg.Metrics, applicants: cfg.Applicants}
	if svc.applicants == nil {
		svc.applicants = applicant.New(s, kr, blobs, now)
	}
	if svc.builtIn == nil {
		svc.builtIn = policy.BuiltIn
	}
	if svc.checkers == nil {
		svc.checkers = append(basic.Checkers(cfg.Limits, svc.checkDec, cfg.Dates), cfg.Extra...)
	}
	return svc
}

// checkDecodeWait is how long a check waits for its share of the decode
// budget (within the job's own timeout) before it reports an error and the
// job is retried.
const checkDecodeWait = 30 * time.Second

// Decoder is the decoder of uploads (its budget is the process's).
func (s *Service) Decoder() *docfile.Decoder { return s.decoder }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// record writes the audit entry of a change; data must hold no PII.
func record(ctx context.Context, tx *store.Tx, p kyc.Principal, at time.Time, action, subjectType, subjectID string, data any) error {
	return tx.Audit(ctx, p, at, action, subjectType, subjectID, data)
}
