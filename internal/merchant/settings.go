package merchant

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Ack modes: what acknowledges a dialect callback. Besides these, "codeN"
// (N an integer) is a 2xx whose JSON body has "code": N.
const (
	Ack2xx   = "2xx"   // any 2xx status
	Ack200   = "200"   // exactly 200
	AckCode1 = "code1" // a 2xx whose JSON body has "code": 1 (card binding)
	AckCode0 = "code0" // a 2xx whose JSON body has "code": 0 (PayCools)
)

// ValidAck reports whether s is an ack mode.
func ValidAck(s string) bool {
	if s == Ack2xx || s == Ack200 {
		return true
	}
	n, ok := strings.CutPrefix(s, "code")
	if !ok || n == "" || len(n) > 9 {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// DefaultAck is each dialect's ack mode when the merchant set none.
var DefaultAck = map[kyc.Surface]string{kyc.SurfaceVexora: Ack2xx, kyc.SurfaceKYCSharing: Ack200, kyc.SurfaceCardBinding: AckCode1, kyc.SurfacePayCools: AckCode0}

// rsaDialects are the dialects whose merchants upload an RSA public key and
// whose callbacks the platform signs with its own RSA key.
var rsaDialects = []kyc.Surface{kyc.SurfaceCardBinding, kyc.SurfacePayCools}

// Settings are a merchant's settings of one dialect, with defaults applied.
type Settings struct {
	Dialect        kyc.Surface `json:"-"` // in JSON as its APIName (the CLI prints settings)
	CallbackURL    string      `json:"callback_url"`
	Ack            string      `json:"ack"`
	PublicKey      string      `json:"public_key,omitempty"`
	AllowIDCard    bool        `json:"allow_id_card"`
	AddressPattern string      `json:"address_pattern,omitempty"`
	UpdatedAt      time.Time   `json:"updated_at,omitzero"`
	// The public key before the last replacement verifies requests until
	// PreviousPublicKeyUntil.
	PreviousPublicKey      string    `json:"-"`
	PreviousPublicKeyUntil time.Time `json:"previous_public_key_until,omitzero"`
}

// MarshalJSON writes the settings with the dialect spelled as the API and
// the CLI spell it (kyc_sharing, card_binding).
func (s Settings) MarshalJSON() ([]byte, error) {
	type plain Settings
	return json.Marshal(struct {
		Dialect string `json:"dialect"`
		plain
	}{s.Dialect.APIName(), plain(s)})
}

// PublicKeys are the merchant public keys that verify a request at now: the
// current one, then the previous one during its overlap.
func (s Settings) PublicKeys(now time.Time) []string {
	out := []string{s.PublicKey}
	if s.PreviousPublicKey != "" && now.Before(s.PreviousPublicKeyUntil) {
		out = append(out, s.PreviousPublicKey)
	}
	return out
}

func settingsOf(s store.DialectSettings) Settings {
	out := Settings{Dialect: s.Dialect, CallbackURL: s.CallbackURL, Ack: s.Ack, PublicKey: s.PublicKey, AllowIDCard: s.AllowIDCard,
		AddressPattern: s.AddressPattern, UpdatedAt: s.UpdatedAt}
	if s.OldPublicKey != "" && s.OldPublicKeyUntil.After(s.UpdatedAt) {
		out.PreviousPublicKey, out.PreviousPublicKeyUntil = s.OldPublicKey, s.OldPublicKeyUntil
	}
	if out.Ack == "" {
		out.Ack = DefaultAck[s.Dialect]
	}
	return out
}

type cachedSettings struct {
	s       Settings
	expires int64
}

func unknownDialect() error {
	return kyc.Invalid("dialect", "enum", "dialect must be one of vexora, kyc_sharing, card_binding, paycools")
}

// Settings returns a merchant's settings of a dialect. Reads are cached for
// AuthCacheTTL; changes made through this service apply at once.
func (s *Service) Settings(ctx context.Context, merchantID string, dialect kyc.Surface) (Settings, error) {
	if !slices.Contains(kyc.Dialects, dialect) {
		return Settings{}, unknownDialect()
	}
	key := merchantID + "\x00" + string(dialect)
	now := s.now().UnixNano()
	s.mu.Lock()
	c, ok := s.settings[key]
	s.mu.Unlock()
	if ok && now < c.expires {
		return c.s, nil
	}
	row, err := s.store.DialectSettings(ctx, merchantID, dialect)
	if err != nil {
		return Settings{}, err
	}
	out := settingsOf(row)
	s.mu.Lock()
	if len(s.settings) >= authCacheMax {
		clear(s.settings)
	}
	s.settings[key] = cachedSettings{s: out, expires: now + int64(AuthCacheTTL)}
	s.mu.Unlock()
	return out, nil
}

// SettingsPatch changes some settings; nil fields stay.
type SettingsPatch struct {
	CallbackURL    *string `json:"callback_url,omitempty"`
	Ack            *string `json:"ack,omitempty"`
	PublicKey      *string `json:"public_key,omitempty"`
	AllowIDCard    *bool   `json:"allow_id_card,omitempty"`
	AddressPattern *string `json:"address_pattern,omitempty"`
	// PublicKeyOverlapSeconds keeps the replaced public key verifying
	// requests this long (nil or 0: it stops at once).
	PublicKeyOverlapSeconds *int `json:"public_key_overlap_seconds,omitempty"`
}

// MaxAddressPattern bounds a configured address pattern.
const MaxAddressPattern = 512

// UpdateSettings validates and applies a patch, audited.
func (s *Service) UpdateSettings(ctx context.Context, p kyc.Principal, dialect kyc.Surface, patch SettingsPatch) (Settings, error) {
	if !slices.Contains(kyc.Dialects, dialect) {
		return Settings{}, unknownDialect()
	}
	if _, err := s.store.MerchantByID(ctx, p.MerchantID); err != nil {
		return Settings{}, err
	}
	row, err := s.store.DialectSettings(ctx, p.MerchantID, dialect)
	if err != nil {
		return Settings{}, err
	}
	var changed []string
	if v := patch.CallbackURL; v != nil {
		u := strings.TrimSpace(*v)
		if u != "" {
			if u, err = s.CallbackURLs.Validate(ctx, u, s.AllowPrivateCallbacks); err != nil {
				return Settings{}, kyc.Invalid("callback_url", "url", "%s", err.Error())
			}
		}
		row.CallbackURL, changed = u, append(changed, "callback_url")
	}
	if v := patch.Ack; v != nil {
		if *v != "" && !ValidAck(*v) {
			return Settings{}, kyc.Invalid("ack", "enum", "ack must be 2xx, 200 or codeN such as code0 or code1 (or empty for the dialect's default)")
		}
		row.Ack, changed = *v, append(changed, "ack")
	}
	if v := patch.PublicKey; v != nil {
		if !slices.Contains(rsaDialects, dialect) {
			return Settings{}, kyc.Invalid("public_key", "unsupported", "only the card_binding and paycools dialects use a merchant public key")
		}
		key := strings.TrimSpace(*v)
		if key != "" {
			if _, err := okcrypto.ParseRSAPublicKey([]byte(key)); err != nil {
				return Settings{}, kyc.Invalid("public_key", "format", "%s", err.Error())
			}
			key += "\n"
		}
		if o := patch.PublicKeyOverlapSeconds; o != nil && (*o < 0 || time.Duration(*o)*time.Second > MaxOverlap) {
			return Settings{}, kyc.Invalid("public_key_overlap_seconds", "range", "public_key_overlap_seconds must be between 0 and %d", int(MaxOverlap.Seconds()))
		}
		row.OldPublicKey, row.OldPublicKeyUntil = "", time.Time{}
		if o := patch.PublicKeyOverlapSeconds; o != nil && *o > 0 && row.PublicKey != "" && row.PublicKey != key {
			row.OldPublicKey = row.PublicKey
			row.OldPublicKeyUntil = s.now().UTC().Truncate(time.Microsecond).Add(time.Duration(*o) * time.Second)
			changed = append(changed, "public_key_overlap")
		}
		row.PublicKey, changed = key, append(changed, "public_key")
	} else if patch.PublicKeyOverlapSeconds != nil {
		return Settings{}, kyc.Invalid("public_key_overlap_seconds", "requires", "public_key_overlap_seconds goes with a new public_key")
	}
	if v := patch.AllowIDCard; v != nil {
		if dialect != kyc.SurfaceCardBinding {
			return Settings{}, kyc.Invalid("allow_id_card", "unsupported", "only the card_binding dialect has this setting")
		}
		row.AllowIDCard, changed = *v, append(changed, "allow_id_card")
	}
	if v := patch.AddressPattern; v != nil {
		if dialect != kyc.SurfaceCardBinding {
			return Settings{}, kyc.Invalid("address_pattern", "unsupported", "only the card_binding dialect has this setting")
		}
		if len(*v) > MaxAddressPattern {
			return Settings{}, kyc.TooLarge("address_pattern", "address_pattern must be at most %d bytes", MaxAddressPattern)
		}
		if _, err := regexp.Compile(*v); err != nil {
			return Settings{}, kyc.Invalid("address_pattern", "regexp", "address_pattern is not a valid regular expression (RE2 syntax)")
		}
		row.AddressPattern, changed = *v, append(changed, "address_pattern")
	}
	row.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutDialectSettings(ctx, row); err != nil {
			return err
		}
		return tx.Audit(ctx, p, row.UpdatedAt, "dialect.settings.update", "merchant", p.MerchantID,
			map[string]any{"dialect": dialect, "changed": changed})
	})
	if err != nil {
		return Settings{}, err
	}
	out := settingsOf(row)
	s.mu.Lock()
	delete(s.settings, p.MerchantID+"\x00"+string(dialect))
	s.mu.Unlock()
	return out, nil
}

// PlatformKey returns the platform's RSA private key for a merchant on an
// RSA dialect (it signs responses and callbacks) and the merchant's app id
// (card binding: api-key; PayCools: appId).
// Parsed keys are cached like secrets (AuthCacheTTL): every PayCools answer
// is signed, so the key is not decrypted and parsed per request.
func (s *Service) PlatformKey(ctx context.Context, merchantID string, dialect kyc.Surface) (*rsa.PrivateKey, string, error) {
	key := merchantID + "\x00" + string(dialect)
	now := s.now().UnixNano()
	s.mu.Lock()
	c, ok := s.platform[key]
	s.mu.Unlock()
	if ok && now < c.expires {
		return c.key, c.appID, nil
	}
	appID, der, err := s.DialectCredentials(ctx, merchantID, dialect)
	if err != nil {
		return nil, "", err
	}
	k, err := okcrypto.ParseRSAPrivateKeyDER([]byte(der))
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	if len(s.platform) >= authCacheMax {
		clear(s.platform)
	}
	s.platform[key] = cachedKey{key: k, appID: appID, expires: now + int64(AuthCacheTTL)}
	s.mu.Unlock()
	return k, appID, nil
}

type cachedKey struct {
	key     *rsa.PrivateKey
	appID   string
	expires int64
}

// RSACredentials returns a merchant's app id on an RSA dialect and the
// platform's public key (PEM), creating them first for a merchant made before
// the dialect existed.
func (s *Service) RSACredentials(ctx context.Context, p kyc.Principal, dialect kyc.Surface) (appID, platformPublicKey string, err error) {
	if !slices.Contains(rsaDialects, dialect) {
		return "", "", unknownDialect()
	}
	k, appID, err := s.PlatformKey(ctx, p.MerchantID, dialect)
	if kyc.IsNotFound(err) {
		var cred store.DialectCredential
		if cred, k, err = s.newRSACredential(p.MerchantID, dialect, s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return "", "", err
		}
		err = s.store.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertDialectCredential(ctx, cred); err != nil {
				return err
			}
			return tx.Audit(ctx, p, cred.CreatedAt, "dialect.credentials.create", "merchant", p.MerchantID, map[string]string{"dialect": string(dialect)})
		})
		if kyc.IsConflict(err) { // created concurrently
			return s.RSACredentials(ctx, p, dialect)
		}
		appID = cred.AppID
	}
	if err != nil {
		return "", "", err
	}
	return appID, okcrypto.RSAPublicKeyPEM(&k.PublicKey), nil
}

// newRSACredential draws an app id and the platform's key pair of a dialect.
func (s *Service) newRSACredential(merchantID string, dialect kyc.Surface, now time.Time) (store.DialectCredential, *rsa.PrivateKey, error) {
	k, der, err := okcrypto.NewRSAKey()
	if err != nil {
		return store.DialectCredential{}, nil, err
	}
	appID := randomHex(16)
	if dialect == kyc.SurfacePayCools {
		appID = "pc" + randomHex(8)
	}
	c := store.DialectCredential{MerchantID: merchantID, Dialect: dialect, AppID: appID, CreatedAt: now}
	c.SealedSecret, err = s.keys.Seal(der, dialectAAD(merchantID, dialect))
	return c, k, err
}
