package verification

import (
	"context"
	"time"

	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/basic"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Service is the core's use cases: applicants, documents and the
// verification lifecycle. Every call is scoped to the principal's merchant.
type Service struct {
	store    *store.Store
	keys     *crypto.Keyring
	blobs    *blob.Store
	decoder  *docfile.Decoder
	limits   docfile.Limits
	now      func() time.Time
	checkers []check.Checker
	faces    faceGallery
}

// Config configures the service.
type Config struct {
	Limits        docfile.Limits
	DecodeWorkers int // concurrent image decodes (default 2)
	Now           func() time.Time
	// Checkers are the engines Process runs; nil means the model-free ones
	// plus Extra, with Dates feeding the age and expiry checks.
	Checkers []check.Checker
	Extra    []check.Checker
	Dates    check.DatesFunc
}

// NewService wires the service.
func NewService(s *store.Store, kr *crypto.Keyring, blobs *blob.Store, cfg Config) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	svc := &Service{store: s, keys: kr, blobs: blobs, decoder: docfile.NewDecoder(cfg.DecodeWorkers, cfg.Limits), limits: cfg.Limits, now: now,
		checkers: cfg.Checkers}
	if svc.checkers == nil {
		svc.checkers = append(basic.Checkers(cfg.Limits, svc.decoder, cfg.Dates), cfg.Extra...)
	}
	return svc
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// record writes the audit entry of a change; data must hold no PII.
func record(ctx context.Context, tx *store.Tx, p kyc.Principal, at time.Time, action, subjectType, subjectID string, data any) error {
	return tx.Audit(ctx, p, at, action, subjectType, subjectID, data)
}
