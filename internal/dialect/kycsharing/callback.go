package kycsharing

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/webhook"
)

// Callbacks formats and signs KYC Sharing webhooks (webhook.Formatter).
type Callbacks struct {
	merchants Merchants
	core      Core
	nowMillis func() int64
}

// Callbacks returns the dialect's callback formatter.
func (d *Dialect) Callbacks() *Callbacks {
	return &Callbacks{merchants: d.merchants, core: d.core, nowMillis: func() int64 { return d.cfg.Now().UnixMilli() }}
}

// Targets sends status changes to the verification's callback URL, or else
// to the merchant's default callback URL of the dialect.
func (c *Callbacks) Targets(ctx context.Context, ev kyc.Event) ([]webhook.Target, error) {
	return dialect.Callback{Surface: Surface, Settings: c.merchants, ByID: c.core.ByID}.Target(ctx, ev)
}

// Request builds {"kycStatus", "requestNo"} signed with appId, timestamp and
// sign over the callback URL's path, as requests are. The status is the
// current one, so a late retry never reports an older status.
func (c *Callbacks) Request(ctx context.Context, ev kyc.Event, t webhook.Target, _ int) (*http.Request, error) {
	_, v, err := dialect.EventVerification(ctx, c.core.ByID, kyc.Principal{MerchantID: ev.MerchantID}, ev)
	if err != nil {
		return nil, err
	}
	appID, secret, err := c.merchants.DialectCredentials(ctx, ev.MerchantID, Surface)
	if err != nil {
		return nil, err
	}
	status, _ := Status(v)
	body, _ := json.Marshal(map[string]string{"kycStatus": status, "requestNo": v.Reference})
	canon, err := Canonical(body)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(c.nowMillis(), 10)
	return dialect.PostJSON(ctx, t.URL, body, map[string]string{"appId": appID, "timestamp": ts,
		"sign": Sign(secret, ts, http.MethodPost, u.RequestURI(), canon)})
}

// Accepted applies the merchant's ack mode (default Ack200).
func (c *Callbacks) Accepted(t webhook.Target, status int, body []byte) bool {
	return dialect.Acknowledged(t.Ack, merchant.Ack200, status, body)
}
