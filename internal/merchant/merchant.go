// Package merchant manages tenants and their native API keys.
package merchant

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/tracing"

	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/ratelimit"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/webhook"
)

// APIKeyPrefix starts every native API key, so leaked keys are easy to find
// with secret scanners.
const APIKeyPrefix = "okyc_"

// Service creates merchants and authenticates API keys.
type Service struct {
	store *store.Store
	keys  *crypto.Keyring
	now   func() time.Time

	mu       sync.Mutex
	cache    map[string]cachedPrincipal // by key lookup hash
	dialects map[string]cachedDialect   // by dialect + app id
	settings map[string]cachedSettings  // by merchant id + dialect
	platform map[string]cachedKey       // parsed platform keys by merchant id + dialect

	// Limits are the per-merchant and per-address request limits checked
	// when a request authenticates (nil: none).
	Limits *ratelimit.Limiter

	// AllowPrivateCallbacks lets dialect callback URLs point at private
	// addresses (development).
	AllowPrivateCallbacks bool
	// CallbackURLs checks dialect callback URLs (its zero value resolves
	// hosts with the system resolver).
	CallbackURLs webhook.URLValidator
}

type cachedPrincipal struct {
	p       kyc.Principal
	expires time.Time
}

// AuthCacheTTL is how long a successful API-key check is remembered; a
// revoked key or suspended merchant stops working within this time.
const AuthCacheTTL = 10 * time.Second

const authCacheMax = 10_000

// New returns a merchant service.
func New(s *store.Store, kr *crypto.Keyring, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, keys: kr, now: now, cache: map[string]cachedPrincipal{}, dialects: map[string]cachedDialect{}, settings: map[string]cachedSettings{},
		platform: map[string]cachedKey{}}
}

// Created is a new merchant with its first API key and its dialect
// credentials, shown only this once.
type Created struct {
	Merchant kyc.Merchant
	APIKey   string
	KeyID    string
	// VexoraAppSecret signs Vexora requests and callbacks (merchantNo header = Merchant.MerchantNo).
	VexoraAppSecret string
	// KYCSharingAppID and KYCSharingSecret sign KYC Sharing requests and callbacks.
	KYCSharingAppID  string
	KYCSharingSecret string
	// CardBindingAPIKey is the api-key header of card-binding requests;
	// CardBindingPlatformKey is the platform's public key (PEM) that
	// verifies card-binding callbacks.
	CardBindingAPIKey      string
	CardBindingPlatformKey string
	// PayCoolsAppID is the appId of PayCools requests; PayCoolsPlatformKey
	// (PEM) verifies PayCools responses and notifications.
	PayCoolsAppID       string
	PayCoolsPlatformKey string
}

// Create makes a merchant and its first API key.
func (s *Service) Create(ctx context.Context, name, actor string) (Created, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return Created{}, kyc.Invalid("name", "length", "name must be 1 to 200 characters")
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	for attempt := 0; ; attempt++ {
		no, err := merchantNo()
		if err != nil {
			return Created{}, err
		}
		m := kyc.Merchant{ID: kyc.NewID(kyc.PrefixMerchant), MerchantNo: no, Name: name, Status: kyc.MerchantActive, CreatedAt: now, UpdatedAt: now}
		key, cred, err := newAPIKey(m.ID, now)
		if err != nil {
			return Created{}, err
		}
		vexSecret := randomHex(16)
		vex := store.DialectCredential{MerchantID: m.ID, Dialect: kyc.SurfaceVexora, AppID: m.MerchantNo, CreatedAt: now}
		if vex.SealedSecret, err = s.keys.Seal([]byte(vexSecret), dialectAAD(m.ID, kyc.SurfaceVexora)); err != nil {
			return Created{}, err
		}
		ksSecret := randomHex(16)
		ks := store.DialectCredential{MerchantID: m.ID, Dialect: kyc.SurfaceKYCSharing, AppID: "ks" + randomHex(8), CreatedAt: now}
		if ks.SealedSecret, err = s.keys.Seal([]byte(ksSecret), dialectAAD(m.ID, kyc.SurfaceKYCSharing)); err != nil {
			return Created{}, err
		}
		cb, cbKey, err := s.newRSACredential(m.ID, kyc.SurfaceCardBinding, now)
		if err != nil {
			return Created{}, err
		}
		pc, pcKey, err := s.newRSACredential(m.ID, kyc.SurfacePayCools, now)
		if err != nil {
			return Created{}, err
		}
		err = s.store.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertMerchant(ctx, m); err != nil {
				return err
			}
			if err := tx.InsertCredential(ctx, cred); err != nil {
				return err
			}
			if err := tx.InsertDialectCredential(ctx, vex); err != nil {
				return err
			}
			if err := tx.InsertDialectCredential(ctx, ks); err != nil {
				return err
			}
			if err := tx.InsertDialectCredential(ctx, cb); err != nil {
				return err
			}
			if err := tx.InsertDialectCredential(ctx, pc); err != nil {
				return err
			}
			return tx.Audit(ctx, kyc.Principal{MerchantID: m.ID, Actor: actor}, now, "merchant.create", "merchant", m.ID,
				map[string]string{"merchant_no": m.MerchantNo, "credential_id": cred.ID})
		})
		if kyc.IsConflict(err) && attempt < 3 {
			continue // merchant number collision: draw another
		}
		if err != nil {
			return Created{}, err
		}
		return Created{Merchant: m, APIKey: key, KeyID: cred.ID, VexoraAppSecret: vexSecret, KYCSharingAppID: ks.AppID, KYCSharingSecret: ksSecret,
			CardBindingAPIKey: cb.AppID, CardBindingPlatformKey: crypto.RSAPublicKeyPEM(&cbKey.PublicKey),
			PayCoolsAppID: pc.AppID, PayCoolsPlatformKey: crypto.RSAPublicKeyPEM(&pcKey.PublicKey)}, nil
	}
}

// merchantNo draws a 12-digit merchant number, the form the dialects' merchantNo takes.
func merchantNo() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(9e11))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%012d", n.Int64()+1e11), nil
}

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newAPIKey(merchantID string, now time.Time) (string, kyc.Credential, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", kyc.Credential{}, err
	}
	key := APIKeyPrefix + strings.ToLower(keyEncoding.EncodeToString(b))
	return key, kyc.Credential{
		ID: kyc.NewID(kyc.PrefixCredential), MerchantID: merchantID, Kind: kyc.CredentialAPIKey,
		Lookup: LookupHash(key), Hint: key[len(key)-4:], CreatedAt: now,
	}, nil
}

// LookupHash is how an API key is stored: sha256, hex. API keys carry 256
// random bits, so a fast hash is enough and keeps authentication cheap; the
// lookup is by equality on the hash, so no secret is compared byte by byte.
func LookupHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the principal of an API key. Unknown, revoked or
// malformed keys, and keys of suspended merchants, are kyc.ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, key string) (kyc.Principal, error) {
	if err := s.Limits.Address(ctx); err != nil {
		return kyc.Principal{}, err
	}
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) > 128 {
		return kyc.Principal{}, kyc.ErrUnauthenticated
	}
	lookup := LookupHash(key)
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[lookup]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		tracing.NoteMerchant(ctx, c.p.MerchantID)
		return c.p, s.Limits.Merchant(c.p.MerchantID)
	}
	cred, m, err := s.store.CredentialByLookup(ctx, kyc.CredentialAPIKey, lookup, now)
	if kyc.IsNotFound(err) {
		return kyc.Principal{}, kyc.ErrUnauthenticated
	}
	if err != nil {
		return kyc.Principal{}, err
	}
	if m.Status != kyc.MerchantActive {
		return kyc.Principal{}, fmt.Errorf("merchant suspended: %w", kyc.ErrForbidden)
	}
	p := kyc.Principal{MerchantID: m.ID, Actor: "api_key:" + cred.ID}
	s.mu.Lock()
	if len(s.cache) >= authCacheMax {
		clear(s.cache)
	}
	expires := now.Add(AuthCacheTTL)
	if cred.RevokedAt != nil && cred.RevokedAt.Before(expires) { // a rotated key ends on time
		expires = *cred.RevokedAt
	}
	s.cache[lookup] = cachedPrincipal{p: p, expires: expires}
	s.mu.Unlock()
	tracing.NoteMerchant(ctx, p.MerchantID)
	return p, s.Limits.Merchant(p.MerchantID)
}

// List returns every merchant.
func (s *Service) List(ctx context.Context) ([]kyc.Merchant, error) { return s.store.Merchants(ctx) }

// ByID returns one merchant.
func (s *Service) ByID(ctx context.Context, id string) (kyc.Merchant, error) {
	return s.store.MerchantByID(ctx, id)
}

// VerifyAuditChain recomputes the hash chain of a merchant's audit trail
// and returns its length; an *audit.BrokenLink error names the first
// broken entry.
func (s *Service) VerifyAuditChain(ctx context.Context, merchantID string) (int64, error) {
	return s.store.VerifyAuditChain(ctx, merchantID)
}
