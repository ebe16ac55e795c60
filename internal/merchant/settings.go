package merchant

import (
	"context"
	"crypto/rsa"
	"regexp"
	"slices"
	"strings"
	"time"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/webhook"
)

// Dialects lists the dialect names merchants have settings for.
var Dialects = []string{DialectVexora, DialectKYCSharing, DialectCardBinding}

// DialectName resolves a dialect name as operators write it (kyc_sharing,
// card-binding...) to its canonical name, or "" when unknown.
func DialectName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch strings.NewReplacer("_", "", "-", "").Replace(s) {
	case "vexora":
		return DialectVexora
	case "kycsharing":
		return DialectKYCSharing
	case "cardbinding":
		return DialectCardBinding
	}
	return ""
}

// Ack modes: what acknowledges a dialect callback.
const (
	Ack2xx   = "2xx"   // any 2xx status
	Ack200   = "200"   // exactly 200
	AckCode1 = "code1" // a 2xx whose JSON body has "code": 1 (card binding)
)

// AckModes lists the ack modes.
var AckModes = []string{Ack2xx, Ack200, AckCode1}

// DefaultAck is each dialect's ack mode when the merchant set none.
var DefaultAck = map[string]string{DialectVexora: Ack2xx, DialectKYCSharing: Ack200, DialectCardBinding: AckCode1}

// Settings are a merchant's settings of one dialect, with defaults applied.
type Settings struct {
	Dialect        string    `json:"dialect"`
	CallbackURL    string    `json:"callback_url"`
	Ack            string    `json:"ack"`
	PublicKey      string    `json:"public_key,omitempty"`
	AllowIDCard    bool      `json:"allow_id_card"`
	AddressPattern string    `json:"address_pattern,omitempty"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

func settingsOf(s store.DialectSettings) Settings {
	out := Settings{Dialect: s.Dialect, CallbackURL: s.CallbackURL, Ack: s.Ack, PublicKey: s.PublicKey, AllowIDCard: s.AllowIDCard,
		AddressPattern: s.AddressPattern, UpdatedAt: s.UpdatedAt}
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
	return kyc.Invalid("dialect", "enum", "dialect must be one of vexora, kyc_sharing, card_binding")
}

// Settings returns a merchant's settings of a dialect. Reads are cached for
// AuthCacheTTL; changes made through this service apply at once.
func (s *Service) Settings(ctx context.Context, merchantID, dialect string) (Settings, error) {
	if !slices.Contains(Dialects, dialect) {
		return Settings{}, unknownDialect()
	}
	key := merchantID + "\x00" + dialect
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
}

// MaxAddressPattern bounds a configured address pattern.
const MaxAddressPattern = 512

// UpdateSettings validates and applies a patch, audited.
func (s *Service) UpdateSettings(ctx context.Context, p kyc.Principal, dialect string, patch SettingsPatch) (Settings, error) {
	if !slices.Contains(Dialects, dialect) {
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
			if u, err = webhook.ValidateURL(u, s.AllowPrivateCallbacks); err != nil {
				return Settings{}, kyc.Invalid("callback_url", "url", "%s", err.Error())
			}
		}
		row.CallbackURL, changed = u, append(changed, "callback_url")
	}
	if v := patch.Ack; v != nil {
		if *v != "" && !slices.Contains(AckModes, *v) {
			return Settings{}, kyc.Invalid("ack", "enum", "ack must be one of 2xx, 200, code1 (or empty for the dialect's default)")
		}
		row.Ack, changed = *v, append(changed, "ack")
	}
	if v := patch.PublicKey; v != nil {
		if dialect != DialectCardBinding {
			return Settings{}, kyc.Invalid("public_key", "unsupported", "only the card_binding dialect uses a merchant public key")
		}
		key := strings.TrimSpace(*v)
		if key != "" {
			if _, err := okcrypto.ParseRSAPublicKey([]byte(key)); err != nil {
				return Settings{}, kyc.Invalid("public_key", "format", "%s", err.Error())
			}
			key += "\n"
		}
		row.PublicKey, changed = key, append(changed, "public_key")
	}
	if v := patch.AllowIDCard; v != nil {
		if dialect != DialectCardBinding {
			return Settings{}, kyc.Invalid("allow_id_card", "unsupported", "only the card_binding dialect has this setting")
		}
		row.AllowIDCard, changed = *v, append(changed, "allow_id_card")
	}
	if v := patch.AddressPattern; v != nil {
		if dialect != DialectCardBinding {
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
	delete(s.settings, p.MerchantID+"\x00"+dialect)
	s.mu.Unlock()
	return out, nil
}

// PlatformKey returns the platform's RSA private key for a merchant on the
// card-binding dialect (it signs callbacks) and the merchant's api-key.
func (s *Service) PlatformKey(ctx context.Context, merchantID string) (*rsa.PrivateKey, string, error) {
	apiKey, der, err := s.DialectCredentials(ctx, merchantID, DialectCardBinding)
	if err != nil {
		return nil, "", err
	}
	k, err := okcrypto.ParseRSAPrivateKeyDER([]byte(der))
	return k, apiKey, err
}

// CardBinding returns a merchant's card-binding api-key and the platform's
// public key (PEM), creating them first for a merchant made before the
// dialect existed.
func (s *Service) CardBinding(ctx context.Context, p kyc.Principal) (apiKey, platformPublicKey string, err error) {
	k, apiKey, err := s.PlatformKey(ctx, p.MerchantID)
	if kyc.IsNotFound(err) {
		var cred store.DialectCredential
		if cred, k, err = s.newCardBindingCredential(p.MerchantID, s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return "", "", err
		}
		err = s.store.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertDialectCredential(ctx, cred); err != nil {
				return err
			}
			return tx.Audit(ctx, p, cred.CreatedAt, "dialect.credentials.create", "merchant", p.MerchantID, map[string]string{"dialect": DialectCardBinding})
		})
		if kyc.IsConflict(err) { // created concurrently
			return s.CardBinding(ctx, p)
		}
		apiKey = cred.AppID
	}
	if err != nil {
		return "", "", err
	}
	return apiKey, okcrypto.RSAPublicKeyPEM(&k.PublicKey), nil
}

// newCardBindingCredential draws an api-key and the platform's key pair.
func (s *Service) newCardBindingCredential(merchantID string, now time.Time) (store.DialectCredential, *rsa.PrivateKey, error) {
	k, der, err := okcrypto.NewRSAKey()
	if err != nil {
		return store.DialectCredential{}, nil, err
	}
	c := store.DialectCredential{MerchantID: merchantID, Dialect: DialectCardBinding, AppID: randomHex(16), CreatedAt: now}
	c.SealedSecret, err = s.keys.Seal(der, dialectAAD(merchantID, DialectCardBinding))
	return c, k, err
}
