// Package applicant is the core's service of what belongs to an applicant
// rather than to one verification: the applicant records (created, read,
// updated and found by the merchant's key of the user on a surface; their
// personal data sealed, looked up by keyed hashes: Sealer), their documents
// (validated uploads, the process's decode budget, opening and audited
// viewing), the merchant's blocklist (values that must never pass: document
// numbers, e-mails, phones, names, kept as keyed hashes with the value
// sealed), the merchant's retention settings and the export of everything
// held about an applicant. Deleting an applicant cancels its verifications
// in the same transaction, so deletion and the retention run stay with
// internal/verification.
package applicant

import (
	"time"

	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/store"
)

// Service writes every change with its audit entry in one transaction.
type Service struct {
	store   *store.Store
	keys    *crypto.Keyring
	sealer  Sealer
	blobs   *blob.Store      // the documents
	decoder *docfile.Decoder // uploads: a short wait for the budget, then busy
	limits  docfile.Limits
	now     func() time.Time
}

// Config configures the service.
type Config struct {
	// Limits bound uploads (zero: docfile's defaults).
	Limits docfile.Limits
	// DecodeBudget is the process's decoded-image memory, shared with every
	// engine (nil: a budget of docfile.DefaultDecodeMemory).
	DecodeBudget *docfile.Budget
	// DecodeWait is how long an upload waits for its share of the budget
	// before it is refused as busy (default 2 s).
	DecodeWait time.Duration
	Now        func() time.Time // nil: the wall clock
}

// New returns the service.
func New(s *store.Store, kr *crypto.Keyring, blobs *blob.Store, cfg Config) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, keys: kr, sealer: NewSealer(kr), blobs: blobs, decoder: docfile.NewDecoder(cfg.DecodeBudget, cfg.Limits, cfg.DecodeWait), limits: cfg.Limits, now: now}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
