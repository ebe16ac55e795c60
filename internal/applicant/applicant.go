// Package applicant is the core's service of what belongs to an applicant
// rather than to one verification: the applicant records (created, read,
// updated and found by the merchant's key of the user on a surface; their
// personal data sealed, looked up by keyed hashes) and the merchant's
// blocklist (values that must never pass: document numbers, e-mails,
// phones, names, kept as keyed hashes with the value sealed), the
// merchant's retention settings and the export of everything held about an
// applicant. Documents and deletion move here from internal/verification
// next (issue "One way into the store", item 1).
package applicant

import (
	"time"

	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/store"
)

// Service writes every change with its audit entry in one transaction.
type Service struct {
	store *store.Store
	keys  *crypto.Keyring
	blobs *blob.Store // the documents an export carries
	now   func() time.Time
}

// New returns the service (now nil: the wall clock).
func New(s *store.Store, kr *crypto.Keyring, blobs *blob.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, keys: kr, blobs: blobs, now: now}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
