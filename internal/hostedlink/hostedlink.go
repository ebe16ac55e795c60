// Package hostedlink is the core's service of links to the hosted
// verification page: it issues a link (a secret token, the liveness
// challenge, an expiry) for a verification the merchant owns, resolves a
// token, records the document the user chose and the submission, each
// change with its audit entry in one transaction. The page itself
// (web/hosted) renders and calls this service; the API and the dialects
// issue links through it.
package hostedlink

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"

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

// Locales the page speaks (a link may fix one).
var Locales = []string{"en", "zh-CN"}

// Input describes a link to create.
type Input struct {
	TTL       time.Duration // 0: DefaultTTL
	ReturnURL string        // where the user goes once done (optional)
	Locale    string        // "", "en" or "zh-CN"; "" follows the browser
}

// Issued is a created link; URL holds the token and is shown only now.
type Issued struct {
	ID        string
	URL       string
	ExpiresAt time.Time
}

// Link is a stored link as the page and the dialects see it (the token
// itself is never stored, only its hash).
type Link struct {
	ID             string
	MerchantID     string
	VerificationID string
	ReturnURL      string
	Locale         string
	Challenge      string // liveness prompts in order, comma-separated
	DocType        string // chosen by the user
	DocCountry     string
	ExpiresAt      time.Time
	SubmittedAt    *time.Time
	OpenedAt       *time.Time
	CreatedAt      time.Time
}

func fromRow(r store.HostedLink) Link {
	return Link{ID: r.ID, MerchantID: r.MerchantID, VerificationID: r.VerificationID, ReturnURL: r.ReturnURL, Locale: r.Locale,
		Challenge: r.Challenge, DocType: r.DocType, DocCountry: r.DocCountry, ExpiresAt: r.ExpiresAt, SubmittedAt: r.SubmittedAt, OpenedAt: r.OpenedAt,
		CreatedAt: r.CreatedAt}
}

// Service issues and resolves links.
type Service struct {
	store        *store.Store
	publicURL    string
	allowPrivate bool
	now          func() time.Time
}

// New returns the link service. publicURL is the base of link URLs;
// allowPrivate lets return URLs be plain http (tests, private networks).
func New(s *store.Store, publicURL string, allowPrivate bool, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, publicURL: strings.TrimRight(publicURL, "/"), allowPrivate: allowPrivate, now: now}
}

// TokenHash is how a token is stored.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create makes a link to the hosted page of a verification the merchant owns.
// The verification must still take documents (created, or rejected with
// retry allowed).
func (l *Service) Create(ctx context.Context, p kyc.Principal, verificationID string, in Input) (Issued, error) {
	ttl := in.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return Issued{}, kyc.Invalid("ttl_seconds", "range", "ttl_seconds must be between %d and %d", int(MinTTL.Seconds()), int(MaxTTL.Seconds()))
	}
	if in.Locale != "" && !slices.Contains(Locales, in.Locale) {
		return Issued{}, kyc.Invalid("locale", "enum", "locale must be en or zh-CN")
	}
	if in.ReturnURL != "" {
		if err := validReturnURL(in.ReturnURL, l.allowPrivate); err != nil {
			return Issued{}, err
		}
	}
	if !kyc.ValidID(kyc.PrefixVerification, verificationID) {
		return Issued{}, fmt.Errorf("verification: %w", kyc.ErrNotFound)
	}
	v, err := l.store.VerificationByID(ctx, p.MerchantID, verificationID)
	if err != nil {
		return Issued{}, err
	}
	if !TakesDocuments(v) {
		return Issued{}, kyc.Conflict("verification_not_open", "the verification is %s and takes no more documents", v.State)
	}
	token, err := newToken()
	if err != nil {
		return Issued{}, err
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
		if err := tx.AddCounts(ctx, row.ID, []store.Count{{MerchantID: v.MerchantID, Day: store.Day(now), Level: v.Level, Surface: string(v.Surface), Country: v.Country,
			Metric: analytics.MetricLinkCreated, N: 1}}); err != nil {
			return err
		}
		return tx.Audit(ctx, p, now, "hosted_link.create", "verification", v.ID, map[string]any{"link_id": row.ID, "expires_at": row.ExpiresAt})
	})
	if err != nil {
		return Issued{}, err
	}
	return Issued{ID: row.ID, URL: l.publicURL + "/verify/" + token, ExpiresAt: row.ExpiresAt}, nil
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
func (l *Service) Latest(ctx context.Context, merchantID, verificationID string) (Link, error) {
	r, err := l.store.LatestHostedLink(ctx, merchantID, verificationID)
	if err != nil {
		return Link{}, err
	}
	return fromRow(r), nil
}

// ByToken resolves a link's token (kyc.ErrNotFound for an unknown one; an
// expired link is returned, its ExpiresAt says so).
func (l *Service) ByToken(ctx context.Context, token string) (Link, error) {
	r, err := l.store.HostedLinkByTokenHash(ctx, TokenHash(token))
	if err != nil {
		return Link{}, err
	}
	return fromRow(r), nil
}

// ChooseDocument records the document type and country the user chose on
// the page.
func (l *Service) ChooseDocument(ctx context.Context, linkID, docType, country string) error {
	return l.store.SetHostedDocument(ctx, linkID, docType, country)
}

// MarkOpened counts the first time the user opens the link (analytics:
// links opened); later openings change nothing.
func (l *Service) MarkOpened(ctx context.Context, p kyc.Principal, link Link) error {
	now := l.now().UTC().Truncate(time.Microsecond)
	return l.store.InTx(ctx, func(tx *store.Tx) error {
		first, err := tx.MarkHostedLinkOpened(ctx, link.ID, now)
		if err != nil || !first {
			return err
		}
		v, err := tx.VerificationByID(ctx, p.MerchantID, link.VerificationID)
		if err != nil {
			return err
		}
		return tx.AddCounts(ctx, link.ID, []store.Count{{MerchantID: v.MerchantID, Day: store.Day(now), Level: v.Level,
			Surface: string(v.Surface), Country: v.Country, Metric: analytics.MetricLinkOpened, N: 1}})
	})
}

// MarkSubmitted records that the user submitted through the link, with its
// audit entry in the same transaction.
func (l *Service) MarkSubmitted(ctx context.Context, p kyc.Principal, link Link) error {
	now := l.now().UTC().Truncate(time.Microsecond)
	return l.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.MarkHostedLinkSubmitted(ctx, link.ID, now); err != nil {
			return err
		}
		if v, err := tx.VerificationByID(ctx, p.MerchantID, link.VerificationID); err != nil {
			return err
		} else if err := tx.AddCounts(ctx, link.ID, []store.Count{{MerchantID: v.MerchantID, Day: store.Day(now), Level: v.Level,
			Surface: string(v.Surface), Country: v.Country, Metric: analytics.MetricLinkDone, N: 1}}); err != nil {
			return err
		}
		return tx.Audit(ctx, p, now, "hosted_link.submit", "verification", link.VerificationID,
			map[string]string{"link_id": link.ID, "doc_type": link.DocType, "doc_country": link.DocCountry, "challenge": link.Challenge})
	})
}
