// Package level is the core's service of a merchant's verification levels:
// which checks run and how their results decide (policy.Level), stored
// under a name with a version that increases with every change, and the
// built-in levels a merchant has until it stores its own.
package level

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/store"
)

// Service reads and writes levels; every change is audited in its
// transaction.
type Service struct {
	store   *store.Store
	builtIn func(name string) (policy.Level, bool)
	now     func() time.Time
}

// New returns the service (builtIn nil: policy.BuiltIn; now nil: the wall
// clock).
func New(s *store.Store, builtIn func(name string) (policy.Level, bool), now func() time.Time) *Service {
	if builtIn == nil {
		builtIn = policy.BuiltIn
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, builtIn: builtIn, now: now}
}

// Get returns the merchant's level of this name: its stored version, or the
// built-in default for "basic" until the merchant stores its own.
func (s *Service) Get(ctx context.Context, merchantID, name string) (policy.Level, error) {
	rec, err := s.store.LevelByName(ctx, merchantID, name)
	if kyc.IsNotFound(err) {
		if l, ok := s.builtIn(name); ok {
			return l, nil
		}
		return policy.Level{}, kyc.NotFoundField("level", "no level named %q; define it with PUT /v1/levels/%s", name, name)
	}
	if err != nil {
		return policy.Level{}, err
	}
	var l policy.Level
	if err := json.Unmarshal(rec.Body, &l); err != nil {
		return l, fmt.Errorf("level %s: %w", name, err)
	}
	l.Name, l.Version = rec.Name, rec.Version
	return l, nil
}

// List lists the merchant's levels, the default included.
func (s *Service) List(ctx context.Context, p kyc.Principal) ([]policy.Level, error) {
	recs, err := s.store.Levels(ctx, p.MerchantID)
	if err != nil {
		return nil, err
	}
	out := []policy.Level{}
	haveDefault := false
	for _, r := range recs {
		l, err := s.Get(ctx, p.MerchantID, r.Name)
		if err != nil {
			return nil, err
		}
		haveDefault = haveDefault || l.Name == policy.Default().Name
		out = append(out, l)
	}
	if !haveDefault {
		def, _ := s.builtIn(policy.Default().Name)
		out = append([]policy.Level{def}, out...)
	}
	return out, nil
}

// Put validates and stores a level under its name; the stored version
// increases by one with every change. Decisions record the version they used.
func (s *Service) Put(ctx context.Context, p kyc.Principal, l policy.Level) (policy.Level, error) {
	if err := l.Validate(); err != nil {
		return l, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		l.Version = 0
		v, err := tx.PutLevel(ctx, p.MerchantID, l.Name, l.Canonical(), now)
		if err != nil {
			return err
		}
		l.Version = v
		return tx.Audit(ctx, p, now, "level.put", "level", l.Name, map[string]any{"version": v})
	})
	return l, err
}
