package merchant

import (
	"context"
	"fmt"
	"slices"
	"time"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// MaxOverlap bounds how long a rotated-out credential keeps working.
const MaxOverlap = 30 * 24 * time.Hour

// RotatedKey is a new API key, shown only this once.
type RotatedKey struct {
	APIKey string
	KeyID  string
	// OldUntil is when the merchant's previous keys stop working.
	OldUntil time.Time
	// Expired counts the previous keys given that end.
	Expired int64
}

func checkOverlap(overlap time.Duration) error {
	if overlap < 0 || overlap > MaxOverlap {
		return kyc.Invalid("overlap", "range", "overlap must be between 0 and %s", MaxOverlap)
	}
	return nil
}

// RotateAPIKey creates a new API key for the merchant; its other keys keep
// working for overlap (0: they stop at once), so clients can switch without
// downtime. Every process honours the end within AuthCacheTTL.
func (s *Service) RotateAPIKey(ctx context.Context, merchantID string, overlap time.Duration, actor string) (RotatedKey, error) {
	if err := checkOverlap(overlap); err != nil {
		return RotatedKey{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	key, cred, err := newAPIKey(merchantID, now)
	if err != nil {
		return RotatedKey{}, err
	}
	out := RotatedKey{APIKey: key, KeyID: cred.ID, OldUntil: now.Add(overlap)}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.MerchantByID(ctx, merchantID); err != nil {
			return err
		}
		if err := tx.InsertCredential(ctx, cred); err != nil {
			return err
		}
		if out.Expired, err = tx.ExpireCredentials(ctx, merchantID, kyc.CredentialAPIKey, cred.ID, out.OldUntil); err != nil {
			return err
		}
		return tx.Audit(ctx, kyc.Principal{MerchantID: merchantID, Actor: actor}, now, "api_key.rotate", "credential", cred.ID,
			map[string]any{"old_keys": out.Expired, "old_until": out.OldUntil, "hint": cred.Hint})
	})
	if err != nil {
		return RotatedKey{}, err
	}
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
	return out, nil
}

// RotateDialectSecret replaces a merchant's HMAC secret of the Vexora or
// KYC Sharing dialect. Requests signed with the previous secret are
// accepted for overlap; callbacks are signed with the new one at once.
func (s *Service) RotateDialectSecret(ctx context.Context, merchantID string, dialect kyc.Surface, overlap time.Duration, actor string) (string, time.Time, error) {
	if dialect != kyc.SurfaceVexora && dialect != kyc.SurfaceKYCSharing {
		return "", time.Time{}, kyc.Invalid("dialect", "enum",
			"only the HMAC secrets of vexora and kyc_sharing rotate; card_binding and paycools use RSA key pairs (openkyc merchant set-key)")
	}
	if err := checkOverlap(overlap); err != nil {
		return "", time.Time{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	secret := randomHex(16)
	sealed, err := s.keys.Seal([]byte(secret), dialectAAD(merchantID, dialect))
	if err != nil {
		return "", time.Time{}, err
	}
	until := now.Add(overlap)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.RotateDialectSecret(ctx, merchantID, dialect, sealed, until)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s credential of %s: %w", dialect.APIName(), merchantID, kyc.ErrNotFound)
		}
		return tx.Audit(ctx, kyc.Principal{MerchantID: merchantID, Actor: actor}, now, "dialect_secret.rotate", "merchant", merchantID,
			map[string]any{"dialect": dialect, "old_until": until})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	s.mu.Lock()
	clear(s.dialects)
	s.mu.Unlock()
	return secret, until, nil
}

// NextPlatformKey returns the public key (PEM) of the platform key pair
// staged for an RSA dialect, or "" when none is staged.
func (s *Service) NextPlatformKey(ctx context.Context, merchantID string, dialect kyc.Surface) (string, error) {
	c, err := s.store.DialectCredential(ctx, merchantID, dialect)
	if err != nil || len(c.NextSealedSecret) == 0 {
		return "", err
	}
	der, err := s.keys.Open(c.NextSealedSecret, dialectAAD(merchantID, dialect))
	if err != nil {
		return "", err
	}
	k, err := okcrypto.ParseRSAPrivateKeyDER(der)
	if err != nil {
		return "", err
	}
	return okcrypto.RSAPublicKeyPEM(&k.PublicKey), nil
}

// StagePlatformKey prepares the rotation of the platform's key pair of the
// card-binding or PayCools dialect: a new pair is stored beside the current
// one, which keeps signing until ActivatePlatformKey; the merchant installs
// the returned public key (PEM) meanwhile. Staging again returns the staged
// key, unless fresh.
func (s *Service) StagePlatformKey(ctx context.Context, merchantID string, dialect kyc.Surface, fresh bool, actor string) (string, error) {
	if !slices.Contains(rsaDialects, dialect) {
		return "", kyc.Invalid("dialect", "enum", "only card_binding and paycools have platform key pairs")
	}
	if !fresh {
		if pub, err := s.NextPlatformKey(ctx, merchantID, dialect); err != nil || pub != "" {
			return pub, err
		}
	}
	k, der, err := okcrypto.NewRSAKey()
	if err != nil {
		return "", err
	}
	sealed, err := s.keys.Seal(der, dialectAAD(merchantID, dialect))
	if err != nil {
		return "", err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.StageDialectSecret(ctx, merchantID, dialect, sealed)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s credential of %s: %w", dialect.APIName(), merchantID, kyc.ErrNotFound)
		}
		return tx.Audit(ctx, kyc.Principal{MerchantID: merchantID, Actor: actor}, now, "platform_key.stage", "merchant", merchantID,
			map[string]any{"dialect": dialect})
	})
	if err != nil {
		return "", err
	}
	return okcrypto.RSAPublicKeyPEM(&k.PublicKey), nil
}

// ActivatePlatformKey makes the staged platform key pair sign from now on
// and returns its public key; every process switches within AuthCacheTTL.
func (s *Service) ActivatePlatformKey(ctx context.Context, merchantID string, dialect kyc.Surface, actor string) (string, error) {
	pub, err := s.NextPlatformKey(ctx, merchantID, dialect)
	if err != nil {
		return "", err
	}
	if pub == "" {
		return "", kyc.Conflict("nothing_staged", "no platform key is staged for %s: stage one first", dialect.APIName())
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ActivateDialectSecret(ctx, merchantID, dialect, now)
		if err != nil {
			return err
		}
		if !ok {
			return kyc.Conflict("nothing_staged", "no platform key is staged for %s", dialect.APIName())
		}
		return tx.Audit(ctx, kyc.Principal{MerchantID: merchantID, Actor: actor}, now, "platform_key.activate", "merchant", merchantID,
			map[string]any{"dialect": dialect})
	})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	clear(s.platform)
	s.mu.Unlock()
	return pub, nil
}
