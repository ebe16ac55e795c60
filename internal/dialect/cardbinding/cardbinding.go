// Package cardbinding is the card-binding KYC dialect (../shared/DIALECTS.md
// §4): a card issuer's merchant binds a user's KYC data and Base64 photos to
// a card application (mc_trade_no). Requests carry timestamp, nonce, api-key
// and an SHA256withRSA signature made with the merchant's private key; the
// platform's callbacks are signed with the platform's key. It is an adapter
// only. See README.md.
package cardbinding

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	okcrypto "github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/verification"
)

// Surface is the surface name of this dialect.
const Surface = kyc.SurfaceCardBinding

// Merchants is what the dialect needs of the merchant service.
type Merchants interface {
	DialectSecret(ctx context.Context, dialect kyc.Surface, appID string) (kyc.Merchant, string, error)
	Settings(ctx context.Context, merchantID string, dialect kyc.Surface) (merchant.Settings, error)
	PlatformKey(ctx context.Context, merchantID string, dialect kyc.Surface) (*rsa.PrivateKey, string, error)
}

// Nonces records used nonces (the store).
type Nonces interface {
	UseNonce(ctx context.Context, merchantID string, dialect kyc.Surface, nonce string, expires time.Time) (bool, error)
}

// Core is what the dialect needs of the verification service.
type Core interface {
	Create(ctx context.Context, p kyc.Principal, surface kyc.Surface, in verification.CreateInput) (kyc.Verification, error)
	Submit(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
	ByReference(ctx context.Context, p kyc.Principal, surface kyc.Surface, reference string) (kyc.Verification, error)
	ByID(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)
}

// Config configures the dialect.
type Config struct {
	Merchants  Merchants
	Nonces     Nonces
	Core       Core
	Applicants dialect.Applicants
	Now        func() time.Time
}

// Dialect serves the card-binding KYC API.
type Dialect struct {
	merchants Merchants
	nonces    Nonces
	core      Core
	cfg       Config

	mu       sync.Mutex
	keys     dialect.PublicKeys        // parsed merchant keys by PEM
	patterns map[string]*regexp.Regexp // compiled address patterns
}

// New returns the dialect's handler.
func New(cfg Config) *Dialect {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dialect{merchants: cfg.Merchants, nonces: cfg.Nonces, core: cfg.Core, cfg: cfg,
		patterns: map[string]*regexp.Regexp{}}
}

// Paths of the dialect.
const (
	PathBind  = "/openapi/card/binding/kyc"
	PathQuery = "/openapi/card/binding/kyc/query"
)

// Routes mounts the dialect.
func (d *Dialect) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathBind, d.bind)
	mux.HandleFunc("POST "+PathQuery, d.query)
}

// Window is how far a request timestamp may be from the server's clock;
// nonces are remembered for twice that.
const Window = 5 * time.Minute

// MaxBody bounds a request: five Base64 files and the fields.
const MaxBody = 16 << 20

var nonceRE = regexp.MustCompile(`^[0-9A-Za-z_-]{8,64}$`)

// authenticate checks the headers and the signature over headers and body,
// then spends the nonce. It returns the merchant and its settings.
func (d *Dialect) authenticate(r *http.Request, body []byte, files *spooled) (kyc.Principal, merchant.Settings, error) {
	ctx := r.Context()
	var none merchant.Settings
	apiKey := r.Header.Get("api-key")
	if apiKey == "" {
		return kyc.Principal{}, none, fail(CodeSignature, "api-key: header is required")
	}
	m, _, err := d.merchants.DialectSecret(ctx, Surface, apiKey)
	if err != nil {
		return kyc.Principal{}, none, err
	}
	ts := r.Header.Get("timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) != 10 {
		return kyc.Principal{}, none, fail(CodeTimestamp, "timestamp: must be 10-digit Unix seconds")
	}
	now := d.cfg.Now()
	if diff := now.Sub(time.Unix(sec, 0)); diff > Window || diff < -Window {
		return kyc.Principal{}, none, fail(CodeTimestamp, "timestamp: outside the allowed window of 5 minutes")
	}
	nonce := r.Header.Get("nonce")
	if !nonceRE.MatchString(nonce) {
		return kyc.Principal{}, none, fail(CodeParam, "nonce: header is required, 8 to 64 letters, digits, _ or -")
	}
	if v := r.Header.Get("version"); v != "" && v != "1.0" {
		return kyc.Principal{}, none, fail(CodeParam, "version: only 1.0 is supported")
	}
	if l := r.Header.Get("lang"); l != "" && l != "en" && l != "zh-CN" {
		return kyc.Principal{}, none, fail(CodeParam, "lang: must be en or zh-CN")
	}
	signature := r.Header.Get("signature")
	if signature == "" {
		return kyc.Principal{}, none, fail(CodeSignature, "signature: header is required")
	}
	set, err := d.merchants.Settings(ctx, m.ID, Surface)
	if err != nil {
		return kyc.Principal{}, none, err
	}
	headers := map[string]string{}
	for _, h := range SignedHeaders {
		headers[h] = r.Header.Get(h)
	}
	s, err := StringToSign(headers, body)
	if err != nil {
		return kyc.Principal{}, none, fail(CodeParam, "body: must be a JSON object")
	}
	// The signed string's digest: with the files' text streamed back from
	// their spools when the body was read with them set aside.
	digest := sha256.Sum256([]byte(s))
	sum := digest[:]
	if files != nil {
		if sum, err = files.digest(s); err != nil {
			return kyc.Principal{}, none, err
		}
	}
	// The previous key verifies too while a replacement's overlap lasts.
	verified := false
	for _, pemText := range set.PublicKeys(now) {
		pub, err := d.publicKey(pemText)
		if err != nil {
			return kyc.Principal{}, none, err
		}
		if okcrypto.VerifySHA256Digest(pub, sum, signature) {
			verified = true
			break
		}
	}
	if !verified {
		return kyc.Principal{}, none, fail(CodeSignature, "signature: does not verify with the merchant's public key")
	}
	fresh, err := d.nonces.UseNonce(ctx, m.ID, Surface, nonce, now.Add(2*Window))
	if err != nil {
		return kyc.Principal{}, none, err
	}
	if !fresh {
		return kyc.Principal{}, none, fail(CodeDuplicate, "nonce: already used; send a new nonce with every request")
	}
	return kyc.Principal{MerchantID: m.ID, Actor: "cardbinding"}, set, nil
}

const cacheMax = 1000

// publicKey parses (once) the merchant's uploaded public key.
func (d *Dialect) publicKey(pemText string) (*rsa.PublicKey, error) {
	if pemText == "" {
		return nil, fail(CodePrivilege, "api-key: the merchant has not uploaded its public key (openkyc merchant set-key)")
	}
	return d.keys.Parse(pemText)
}

// options turns the merchant's settings into field options.
func (d *Dialect) options(s merchant.Settings) (Options, error) {
	opt := Options{AllowIDCard: s.AllowIDCard}
	if s.AddressPattern == "" {
		return opt, nil
	}
	d.mu.Lock()
	re, ok := d.patterns[s.AddressPattern]
	d.mu.Unlock()
	if !ok {
		var err error
		if re, err = regexp.Compile(s.AddressPattern); err != nil {
			return opt, err
		}
		d.mu.Lock()
		if len(d.patterns) >= cacheMax {
			clear(d.patterns)
		}
		d.patterns[s.AddressPattern] = re
		d.mu.Unlock()
	}
	opt.Address = re
	return opt, nil
}

// readBody reads at most MaxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return nil, fail(CodeParam, "body: unreadable or larger than 16 MB")
	}
	return b, nil
}
