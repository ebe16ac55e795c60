package merchant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/openkyc/openkyc/internal/tracing"

	"github.com/openkyc/openkyc/internal/kyc"
)

type cachedDialect struct {
	m       kyc.Merchant
	secret  string
	old     string // the secret before a rotation, accepted until oldEnd
	oldEnd  int64  // unix nanos
	expires int64  // unix nanos
}

// dialectAAD binds a sealed dialect secret to its merchant and dialect.
// Card binding's secrets were sealed under the name its credentials were
// stored under before the dialects had one name (card_binding); the label
// keeps it, so they open without re-sealing. It is a label, not a name:
// nothing else reads it.
func dialectAAD(merchantID string, dialect kyc.Surface) []byte {
	label := string(dialect)
	if dialect == kyc.SurfaceCardBinding {
		label = "card_binding"
	}
	return []byte("dialect:" + label + ":" + merchantID)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DialectSecret resolves a dialect's app id (for Vexora: the merchant
// number) to its active merchant and decrypted current secret (the one that
// signs what the platform sends). Unknown app ids and suspended merchants
// are kyc.ErrUnauthenticated / kyc.ErrForbidden. Results are cached like API
// keys (AuthCacheTTL).
func (s *Service) DialectSecret(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, string, error) {
	c, err := s.dialectCred(ctx, dialect, appID)
	if err == nil {
		tracing.NoteMerchant(ctx, c.m.ID) // the merchant the request names; its signature is checked next
	}
	if err != nil {
		return c.m, "", err
	}
	return c.m, c.secret, nil
}

// DialectSecrets is DialectSecret with every secret an incoming request may
// be signed with: the current one, then the one before a rotation while its
// overlap lasts.
func (s *Service) DialectSecrets(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, []string, error) {
	c, err := s.dialectCred(ctx, dialect, appID)
	if err == nil {
		tracing.NoteMerchant(ctx, c.m.ID) // the merchant the request names; its signature is checked next
	}
	if err != nil {
		return c.m, nil, err
	}
	out := []string{c.secret}
	if c.old != "" && s.now().UnixNano() < c.oldEnd {
		out = append(out, c.old)
	}
	return c.m, out, nil
}

func (s *Service) dialectCred(ctx context.Context, dialect kyc.Surface, appID string) (cachedDialect, error) {
	if err := s.Limits.Address(ctx); err != nil {
		return cachedDialect{}, err
	}
	key := string(dialect) + "\x00" + appID
	now := s.now()
	s.mu.Lock()
	c, ok := s.dialects[key]
	s.mu.Unlock()
	if ok && now.UnixNano() < c.expires {
		return c, s.Limits.Merchant(c.m.ID)
	}
	cred, m, err := s.store.DialectCredentialByAppID(ctx, dialect, appID)
	if kyc.IsNotFound(err) {
		return cachedDialect{m: m}, kyc.ErrUnauthenticated
	}
	if err != nil {
		return cachedDialect{m: m}, err
	}
	if m.Status != kyc.MerchantActive {
		return cachedDialect{m: m}, fmt.Errorf("merchant suspended: %w", kyc.ErrForbidden)
	}
	secret, err := s.keys.Open(cred.SealedSecret, dialectAAD(m.ID, dialect))
	if err != nil {
		return cachedDialect{m: m}, err
	}
	c = cachedDialect{m: m, secret: string(secret), expires: now.Add(AuthCacheTTL).UnixNano()}
	if len(cred.OldSealedSecret) > 0 && now.Before(cred.OldSecretUntil) {
		old, err := s.keys.Open(cred.OldSealedSecret, dialectAAD(m.ID, dialect))
		if err != nil {
			return cachedDialect{m: m}, err
		}
		c.old, c.oldEnd = string(old), cred.OldSecretUntil.UnixNano()
	}
	s.mu.Lock()
	if len(s.dialects) >= authCacheMax {
		clear(s.dialects)
	}
	s.dialects[key] = c
	s.mu.Unlock()
	return c, s.Limits.Merchant(m.ID)
}

// DialectCredentials returns a merchant's app id and decrypted secret of a dialect.
func (s *Service) DialectCredentials(ctx context.Context, merchantID string, dialect kyc.Surface) (string, string, error) {
	c, err := s.store.DialectCredential(ctx, merchantID, dialect)
	if err != nil {
		return "", "", err
	}
	secret, err := s.keys.Open(c.SealedSecret, dialectAAD(merchantID, dialect))
	return c.AppID, string(secret), err
}
