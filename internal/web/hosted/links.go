// Package hosted serves the hosted verification page: an end user opens a
// link the merchant got from the API (or a dialect), captures or uploads the
// document and a selfie under an active liveness challenge, submits, and
// watches the status until it is decided.
package hosted

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// Link limits.
const (
	DefaultTTL = 24 * time.Hour
	MinTTL     = 5 * time.Minute
	MaxTTL     = 7 * 24 * time.Hour
	// MaxLinksPerVerification bounds the links (each taking at most
	// MaxUploads photos) one verification can be given.
	MaxLinksPerVerification = 20
)

// Locales the page speaks.
var Locales = []string{"en", "zh-CN"}

// LinkInput describes a link to create.
type LinkInput struct {
	TTL       time.Duration // 0: DefaultTTL
	ReturnURL string        // where the user goes once done (optional)
	Locale    string        // "", "en" or "zh-CN"; "" follows the browser
}

// Link is a created link; URL holds the token and is shown only now.
type Link struct {
	ID        string
	URL       string
	ExpiresAt time.Time
}

// Links creates and resolves links.
type Links struct {
	store        *store.Store
	publicURL    string
	allowPrivate bool
	now          func() time.Time
}

// NewLinks returns the link service. publicURL is the base of link URLs.
func NewLinks(s *store.Store, publicURL string, allowPrivate bool, now func() time.Time) *Links {
	if now == nil {
		now = time.Now
	}
	return &Links{store: s, publicURL: strings.TrimRight(publicURL, "/"), allowPrivate: allowPrivate, now: now}
}

// TokenHash is how a token is stored.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create makes a link to the hosted page of a verification the merchant owns.
// The verification must still take documents (created, or rejected with
// retry allowed).
func (l *Links) Create(ctx context.Context, p kyc.Principal, verificationID string, in LinkInput) (Link, error) {
	ttl := in.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return Link{}, kyc.Invalid("ttl_seconds", "range", "ttl_seconds must be between %d and %d", int(MinTTL.Seconds()), int(MaxTTL.Seconds()))
	}
	if in.Locale != "" && in.Locale != "en" && in.Locale != "zh-CN" {
		return Link{}, kyc.Invalid("locale", "enum", "locale must be en or zh-CN")
	}
	if in.ReturnURL != "" {
		if err := validReturnURL(in.ReturnURL, l.allowPrivate); err != nil {
			return Link{}, err
		}
	}
	if !kyc.ValidID(kyc.PrefixVerification, verificationID) {
		return Link{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	v, err := l.store.VerificationByID(ctx, p.MerchantID, verificationID)
	if err != nil {
		return Link{}, err
	}
	if !TakesDocuments(v) {
		return Link{}, kyc.Conflict("verification_not_open", "the verification is %s and takes no more documents", v.State)
	}
	token, err := newToken()
	if err != nil {
		return Link{}, err
	}
	now := l.now().UTC().Truncate(time.Microsecond)
	row := store.HostedLink{ID: kyc.NewID("lnk_"), MerchantID: p.MerchantID, VerificationID: v.ID, TokenHash: TokenHash(token),
		ReturnURL: in.ReturnURL, Locale: in.Locale, Challenge: strings.Join(NewChallenge(), ","), ExpiresAt: now.Add(ttl), CreatedAt: now}
	err = l.store.InTx(ctx, func(tx *store.Tx) error {
		if n, err := tx.CountHostedLinks(ctx, p.MerchantID, v.ID); err != nil {
			return err
		} else if n >= MaxLinksPerVerification {
			return kyc.Conflict("too_many_links", "the verification has had %d links, the most allowed; start a new verification", n)
		}
		if err := tx.InsertHostedLink(ctx, row); err != nil {
			return err
		}
		return tx.Audit(ctx, p, now, "hosted_link.create", "verification", v.ID, map[string]any{"link_id": row.ID, "expires_at": row.ExpiresAt})
	})
	if err != nil {
		return Link{}, err
	}
	return Link{ID: row.ID, URL: l.publicURL + "/verify/" + token, ExpiresAt: row.ExpiresAt}, nil
}

// TakesDocuments reports whether the end user can still upload and submit.
func TakesDocuments(v kyc.Verification) bool {
	return v.State == kyc.StateCreated || (v.State == kyc.StateCompleted && v.Decision == kyc.DecisionRejected && v.RejectType == kyc.RejectRetry)
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func validReturnURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	bad := kyc.Invalid("return_url", "url", "return_url must be an absolute https URL")
	if err != nil || u.Host == "" || u.User != nil || len(raw) > 2048 {
		return bad
	}
	if u.Scheme != "https" && !(allowPrivate && u.Scheme == "http") {
		return bad
	}
	return nil
}

// Prompts of the liveness challenge.
var Prompts = []string{"left", "right", "up", "down"}

// NewChallenge draws the liveness challenge: a frame looking straight, then
// two to four head turns in random order, never the same twice in a row.
func NewChallenge() []string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	n := 2 + int(b[0])%3
	out := []string{"center"}
	for i := 0; i < n; i++ {
		p := Prompts[int(b[i+1])%len(Prompts)]
		if p == out[len(out)-1] {
			p = Prompts[(int(b[i+1])+1)%len(Prompts)]
		}
		out = append(out, p)
	}
	return out
}

// Latest returns the link the user submitted through, else the newest link
// of a verification (what the user chose on the page: document type and
// country).
func (l *Links) Latest(ctx context.Context, merchantID, verificationID string) (store.HostedLink, error) {
	return l.store.LatestHostedLink(ctx, merchantID, verificationID)
}
