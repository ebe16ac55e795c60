package merchant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Dialect names of credentials.
const (
	DialectVexora      = "vexora"
	DialectKYCSharing  = "kycsharing"
	DialectCardBinding = "card_binding"
	DialectPayCools    = "paycools"
)

type cachedDialect struct {
	m       kyc.Merchant
	secret  string
	expires int64 // unix nanos
}

func dialectAAD(merchantID, dialect string) []byte {
	return []byte("dialect:" + dialect + ":" + merchantID)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DialectSecret resolves a dialect's app id (for Vexora: the merchant
// number) to its active merchant and decrypted secret. Unknown app ids and
// suspended merchants are kyc.ErrUnauthenticated / kyc.ErrForbidden. Results
// are cached like API keys (AuthCacheTTL).
func (s *Service) DialectSecret(ctx context.Context, dialect, appID string) (kyc.Merchant, string, error) {
	if err := s.Limits.Address(ctx); err != nil {
		return kyc.Merchant{}, "", err
	}
	key := dialect + "\x00" + appID
	now := s.now()
	s.mu.Lock()
	c, ok := s.dialects[key]
	s.mu.Unlock()
	if ok && now.UnixNano() < c.expires {
		return c.m, c.secret, s.Limits.Merchant(c.m.ID)
	}
	cred, m, err := s.store.DialectCredentialByAppID(ctx, dialect, appID)
	if kyc.IsNotFound(err) {
		return m, "", kyc.ErrUnauthenticated
	}
	if err != nil {
		return m, "", err
	}
	if m.Status != kyc.MerchantActive {
		return m, "", fmt.Errorf("merchant suspended: %w", kyc.ErrForbidden)
	}
	secret, err := s.keys.Open(cred.SealedSecret, dialectAAD(m.ID, dialect))
	if err != nil {
		return m, "", err
	}
	s.mu.Lock()
	if len(s.dialects) >= authCacheMax {
		clear(s.dialects)
	}
	s.dialects[key] = cachedDialect{m: m, secret: string(secret), expires: now.Add(AuthCacheTTL).UnixNano()}
	s.mu.Unlock()
	return m, string(secret), s.Limits.Merchant(m.ID)
}

// DialectCredentials returns a merchant's app id and decrypted secret of a dialect.
func (s *Service) DialectCredentials(ctx context.Context, merchantID, dialect string) (string, string, error) {
	c, err := s.store.DialectCredential(ctx, merchantID, dialect)
	if err != nil {
		return "", "", err
	}
	secret, err := s.keys.Open(c.SealedSecret, dialectAAD(merchantID, dialect))
	return c.AppID, string(secret), err
}
