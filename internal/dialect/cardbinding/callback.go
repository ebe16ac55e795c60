package cardbinding

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/webhook"
)

// Callbacks formats and signs card-binding push events (webhook.Formatter).
type Callbacks struct {
	merchants Merchants
	core      Core
	now       func() time.Time
}

// Callbacks returns the dialect's callback formatter.
func (d *Dialect) Callbacks() *Callbacks {
	return &Callbacks{merchants: d.merchants, core: d.core, now: d.cfg.Now}
}

// Targets sends outcomes (approved, rejected, expired, cancelled) to the
// merchant's callback URL of the dialect.
func (c *Callbacks) Targets(ctx context.Context, ev kyc.Event) ([]webhook.Target, error) {
	return dialect.Callback{Surface: Surface, Events: dialect.OutcomeEvents, Settings: c.merchants, ByID: c.core.ByID}.Target(ctx, ev)
}

// Push is the body of a push event.
type Push struct {
	NotifyType string `json:"notify_type"`
	TradeNo    string `json:"mc_trade_no"`
	Result     int    `json:"result"`
	Reason     string `json:"reason,omitempty"`
}

// PushOf is the push event of a verification's outcome.
func PushOf(v kyc.Verification) Push {
	st, reason := Status(v)
	res := ResultFailure
	if st == StatusApproved {
		res = ResultSuccess
	}
	return Push{NotifyType: "KYC", TradeNo: v.Reference, Result: res, Reason: reason}
}

// Request builds the push event, signed as requests are (timestamp, nonce,
// api-key, version, body) but with the platform's private key.
func (c *Callbacks) Request(ctx context.Context, ev kyc.Event, t webhook.Target, _ int) (*http.Request, error) {
	_, v, err := dialect.EventVerification(ctx, c.core.ByID, kyc.Principal{MerchantID: ev.MerchantID}, ev)
	if err != nil {
		return nil, err
	}
	key, apiKey, err := c.merchants.PlatformKey(ctx, ev.MerchantID, Surface)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(PushOf(v))
	if err != nil {
		return nil, err
	}
	headers := map[string]string{"timestamp": strconv.FormatInt(c.now().Unix(), 10), "nonce": Nonce(), "api-key": apiKey, "version": "1.0"}
	s, err := StringToSign(headers, body)
	if err != nil {
		return nil, err
	}
	sig, err := Sign(key, s)
	if err != nil {
		return nil, err
	}
	headers["signature"] = sig
	return dialect.PostJSON(ctx, t.URL, body, headers)
}

// Accepted applies the merchant's ack mode (default code1: a 2xx answer
// whose JSON body has "code": 1).
func (c *Callbacks) Accepted(t webhook.Target, status int, body []byte) bool {
	return dialect.Acknowledged(t.Ack, merchant.AckCode1, status, body)
}

// Nonce draws 10 random characters (50 bits, base32).
func Nonce() string { return rand.Text()[:10] }
