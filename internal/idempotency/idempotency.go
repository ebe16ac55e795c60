// Package idempotency remembers the requests a merchant sent with an
// Idempotency-Key and their responses (sealed by the caller), so a retry gets
// the first answer instead of a second effect. The native API's middleware is
// its user; this service is its only way to the stored keys.
package idempotency

import (
	"context"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

const (
	// TTL is how long a completed request is remembered.
	TTL = 24 * time.Hour
	// AbandonedAfter frees a key whose first request never finished (the
	// process died): no request runs this long.
	AbandonedAfter = 15 * time.Minute
)

// Record is a remembered request: its route, the hash of what was sent,
// and the response (Status 0 while the first request still runs).
type Record = store.IdempotencyRecord

// Service reads and writes the remembered requests.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// New returns the service (now nil: the wall clock).
func New(s *store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, now: now}
}

// Get returns the merchant's remembered request of a key. A record past
// TTL, or reserved longer than AbandonedAfter without a response, is
// forgotten and reported as kyc.ErrNotFound.
func (s *Service) Get(ctx context.Context, merchantID, key string) (Record, error) {
	rec, err := s.store.IdempotencyKey(ctx, merchantID, key)
	if err != nil {
		return rec, err
	}
	age := s.now().Sub(rec.CreatedAt)
	if age > TTL || rec.Status == 0 && age > AbandonedAfter {
		_ = s.store.ReleaseIdempotencyKey(ctx, merchantID, key)
		return Record{}, kyc.ErrNotFound
	}
	return rec, nil
}

// Reserve claims a key for a request about to run; false when the key is
// already taken.
func (s *Service) Reserve(ctx context.Context, merchantID, key, route string) (bool, error) {
	return s.store.ReserveIdempotencyKey(ctx, merchantID, key, route, s.now())
}

// Release forgets a key whose request failed without effect, so that the
// client may retry with it.
func (s *Service) Release(ctx context.Context, merchantID, key string) error {
	return s.store.ReleaseIdempotencyKey(ctx, merchantID, key)
}

// Complete stores the response of the request that reserved the key.
func (s *Service) Complete(ctx context.Context, r Record) error {
	return s.store.CompleteIdempotencyKey(ctx, r)
}

// Purge deletes the records older than TTL and returns how many.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	return s.store.PurgeIdempotencyKeys(ctx, s.now().Add(-TTL))
}
