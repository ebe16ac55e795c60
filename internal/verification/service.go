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
	"github.com/openkyc/openkyc/internal/level"
	"github.com/openkyc/openkyc/internal/store"
)

// Service is the core's verification use cases: the lifecycle, the
// pipeline, replay, monitoring and the deletion of applicants (which
// cancels their verifications). Applicants and their documents are
// internal/applicant's. Every call is scoped to the principal's merchant.
type Service struct {
	store    *store.Store
	keys     *crypto.Keyring
	blobs    *blob.Store
	checkDec *docfile.Decoder // checks: the uploads' budget, waiting as long as the job may
	now      func() time.Time
	checkers []check.Checker
	faces    faceGallery
	levels   *level.Service
	metrics  *Metrics
	// applicants holds the applicants and their documents; sealer opens
	// the applicants the pipeline and monitoring read.
	applicants *applicant.Service
	sealer     applicant.Sealer
}

// Config configures the service.
type Config struct {
	// Limits, DecodeBudget and DecodeWait configure the applicant service
	// made when Applicants is nil (applicant.Config); the checks decode
	// within the applicant service's budget.
	Limits       docfile.Limits
	DecodeBudget *docfile.Budget
	DecodeWait   time.Duration
	Now          func() time.Time
	// Checkers are the engines Process runs; nil means the model-free ones
	// plus Extra, with Dates feeding the age and expiry checks.
	Checkers []check.Checker
	Extra    []check.Checker
	Dates    check.DatesFunc
	// Levels gives each verification's level (nil: one on the same store
	// with the built-in levels of policy.BuiltIn).
	Levels *level.Service
	// Metrics receives the decision metrics (nil: none).
	Metrics *Metrics
	// Applicants is the applicant service: applicants, their documents,
	// the blocklist (nil: one on the same store, keys, blobs and clock).
	Applicants *applicant.Service
}

// NewService wires the service.
func NewService(s *store.Store, kr *crypto.Keyring, blobs *blob.Store, cfg Config) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	svc := &Service{store: s, keys: kr, sealer: applicant.NewSealer(kr), blobs: blobs, now: now, checkers: cfg.Checkers, levels: cfg.Levels, metrics: cfg.Metrics, applicants: cfg.Applicants}
	if svc.applicants == nil {
		svc.applicants = applicant.New(s, kr, blobs, applicant.Config{Limits: cfg.Limits, DecodeBudget: cfg.DecodeBudget, DecodeWait: cfg.DecodeWait, Now: now})
	}
	svc.checkDec = svc.applicants.Decoder().WithWait(checkDecodeWait)
	if svc.levels == nil {
		svc.levels = level.New(s, nil, now)
	}
	if svc.checkers == nil {
		svc.checkers = append(basic.Checkers(svc.applicants.Limits(), svc.checkDec, cfg.Dates), cfg.Extra...)
	}
	return svc
}

// checkDecodeWait is how long a check waits for its share of the decode
// budget (within the job's own timeout) before it reports an error and the
// job is retried.
const checkDecodeWait = 30 * time.Second

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// record writes the audit entry of a change; data must hold no PII.
func record(ctx context.Context, tx *store.Tx, p kyc.Principal, at time.Time, action, subjectType, subjectID string, data any) error {
	return tx.Audit(ctx, p, at, action, subjectType, subjectID, data)
}
