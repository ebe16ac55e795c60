package verification

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/store"
)

// Level returns the merchant's level of this name: its stored version, or the
// built-in default for "basic" until the merchant stores its own.
func (s *Service) Level(ctx context.Context, merchantID, name string) (policy.Level, error) {
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

// Levels lists the merchant's levels, the default included.
func (s *Service) Levels(ctx context.Context, p kyc.Principal) ([]policy.Level, error) {
	recs, err := s.store.Levels(ctx, p.MerchantID)
	if err != nil {
		return nil, err
	}
	out := []policy.Level{}
	haveDefault := false
	for _, r := range recs {
		l, err := s.Level(ctx, p.MerchantID, r.Name)
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

// PutLevel validates and stores a level under its name; the stored version
// increases by one with every change. Decisions record the version they used.
func (s *Service) PutLevel(ctx context.Context, p kyc.Principal, l policy.Level) (policy.Level, error) {
	if err := l.Validate(); err != nil {
		return l, err
	}
	now := s.clock()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		l.Version = 0
		v, err := tx.PutLevel(ctx, p.MerchantID, l.Name, l.Canonical(), now)
		if err != nil {
			return err
		}
		l.Version = v
		return record(ctx, tx, p, now, "level.put", "level", l.Name, map[string]any{"version": v})
	})
	return l, err
}
