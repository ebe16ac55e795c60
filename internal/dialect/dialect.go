// Package dialect holds what the provider dialects share: finding where a
// dialect's callback goes and what acknowledges it. Each dialect lives in a
// subpackage.
package dialect

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/webhook"
)

// CallbackEvents are the events on which dialects call back: those where a
// provider's status changes.
var CallbackEvents = []string{"verification.submitted", "verification.completed", "verification.expired", "verification.cancelled"}

// OutcomeEvents are the events of an outcome: dialects that report only
// final results call back on these.
var OutcomeEvents = []string{"verification.completed", "verification.expired", "verification.cancelled"}

// VerificationByID reads a verification of a merchant.
type VerificationByID func(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)

// Applicants is what the dialects need of the applicant service: find the
// merchant's user on their surface, create or update them, read one, tell
// whether a repeated call carries the same data, and take, list and open
// their documents within the upload limits.
type Applicants interface {
	Find(ctx context.Context, p kyc.Principal, surface kyc.Surface, externalID string) (kyc.Applicant, error)
	Create(ctx context.Context, p kyc.Principal, surface kyc.Surface, in applicant.Input) (kyc.Applicant, bool, error)
	Update(ctx context.Context, p kyc.Principal, id string, patch applicant.Patch) (kyc.Applicant, error)
	Get(ctx context.Context, p kyc.Principal, id string) (kyc.Applicant, error)
	Matches(a kyc.Applicant, in applicant.Input) bool
	UploadDocument(ctx context.Context, p kyc.Principal, applicantID string, kind kyc.DocumentKind, r io.Reader) (kyc.Document, error)
	Documents(ctx context.Context, p kyc.Principal, applicantID string) ([]kyc.Document, error)
	OpenDocument(ctx context.Context, p kyc.Principal, id string) (kyc.Document, io.ReadCloser, error)
	Limits() docfile.Limits
	Decoder() *docfile.Decoder
}

// Settings reads a merchant's settings of a dialect.
type Settings interface {
	Settings(ctx context.Context, merchantID string, dialect kyc.Surface) (merchant.Settings, error)
}

// Callback says which events of a surface call back, and where to find the
// merchant's settings of the dialect.
type Callback struct {
	Surface  kyc.Surface
	Events   []string // CallbackEvents when nil
	Settings Settings
	ByID     VerificationByID
}

// Target returns the callback target of an event: the callback URL the
// merchant gave with the request or else the one in its dialect settings,
// with the merchant's ack mode. No URL: no target.
func (c Callback) Target(ctx context.Context, ev kyc.Event) ([]webhook.Target, error) {
	events := c.Events
	if events == nil {
		events = CallbackEvents
	}
	if !slices.Contains(events, ev.Type) {
		return nil, nil
	}
	var p verification.EventPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil || p.Surface != c.Surface {
		return nil, nil
	}
	v, err := c.ByID(ctx, kyc.Principal{MerchantID: ev.MerchantID}, p.VerificationID)
	if kyc.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	set, err := c.Settings.Settings(ctx, ev.MerchantID, c.Surface)
	if err != nil {
		return nil, err
	}
	url := v.CallbackURL
	if url == "" {
		url = set.CallbackURL
	}
	if url == "" {
		return nil, nil
	}
	return []webhook.Target{{ID: string(c.Surface) + ":" + v.ID, URL: url, Ack: set.Ack}}, nil
}

// Acknowledged reports whether a callback answer acknowledges the delivery
// under an ack mode: 2xx, 200, or codeN — a 2xx whose JSON body has "code": N
// (a number or a numeric string). "" falls back to fallback.
func Acknowledged(mode, fallback string, status int, body []byte) bool {
	if mode == "" {
		mode = fallback
	}
	if mode == merchant.Ack200 {
		return status == 200
	}
	if status < 200 || status > 299 {
		return false
	}
	want, ok := strings.CutPrefix(mode, "code")
	if !ok {
		return true // 2xx
	}
	var ack struct {
		Code json.RawMessage `json:"code"`
	}
	if json.Unmarshal(body, &ack) != nil {
		return false
	}
	got := strings.Trim(string(ack.Code), `"`)
	return got == want
}
