package vexora

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/webhook"
)

// Callbacks formats and signs Vexora callbacks for the shared delivery
// machinery (webhook.Formatter).
type Callbacks struct {
	merchants  Merchants
	core       Core
	applicants dialect.Applicants
	now        func() (ms int64)
}

// Callbacks returns the dialect's callback formatter.
func (d *Dialect) Callbacks() *Callbacks {
	return &Callbacks{merchants: d.merchants, core: d.core, applicants: d.cfg.Applicants, now: func() int64 { return d.cfg.Now().UnixMilli() }}
}

// callbackEvents are the events where authenticationStatus changes.
// Targets sends status changes to the verification's callback URL, or else
// to the merchant's default callback URL of the dialect.
func (c *Callbacks) Targets(ctx context.Context, ev kyc.Event) ([]webhook.Target, error) {
	return dialect.Callback{Surface: Surface, Settings: c.merchants, ByID: c.core.ByID}.Target(ctx, ev)
}

// Request builds the signed callback: {userId, kycNumber,
// authenticationStatus, failReason, timestamp, sign} and the merchantNo header.
func (c *Callbacks) Request(ctx context.Context, ev kyc.Event, t webhook.Target, _ int) (*http.Request, error) {
	p, err := dialect.EventPayload(ev)
	if err != nil {
		return nil, err
	}
	m, err := c.merchants.ByID(ctx, ev.MerchantID)
	if err != nil {
		return nil, err
	}
	_, secret, err := c.merchants.DialectSecret(ctx, Surface, m.MerchantNo)
	if err != nil {
		return nil, err
	}
	a, err := c.applicants.Get(ctx, kyc.Principal{MerchantID: ev.MerchantID}, p.ApplicantID)
	if err != nil {
		return nil, err
	}
	if a.Erased() {
		// The callback names the user by the id the erasure removed; the
		// merchant asked for the erasure and is not told about it here.
		return nil, fmt.Errorf("applicant erased, its user id with it: %w", kyc.ErrNotFound)
	}
	// [openkyc] A callback carries the application's status at sending time:
	// deliveries run concurrently and are retried, so one sent late must not
	// report an older status than one sent before it.
	v, err := c.core.ByID(ctx, kyc.Principal{MerchantID: ev.MerchantID}, p.VerificationID)
	if err != nil {
		return nil, err
	}
	status, reason := Status(v)
	fields := map[string]string{"userId": a.ExternalUserID, "kycNumber": p.Reference, "authenticationStatus": status,
		"failReason": reason, "timestamp": strconv.FormatInt(c.now(), 10)}
	fields["sign"] = Sign(fields, secret)
	body, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	return dialect.PostJSON(ctx, t.URL, body, map[string]string{"merchantNo": m.MerchantNo})
}

// Accepted applies the merchant's ack mode (default Ack2xx).
func (c *Callbacks) Accepted(t webhook.Target, status int, body []byte) bool {
	return dialect.Acknowledged(t.Ack, merchant.Ack2xx, status, body)
}
