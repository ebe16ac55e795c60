package paycools

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/webhook"
)

// NotifyEvents are the events that notify: the verification went to review
// or reached its outcome.
var NotifyEvents = []string{"verification.review", "verification.completed", "verification.expired", "verification.cancelled"}

// Notification is the body POSTed to notifyUrl.
type Notification struct {
	Sign  string `json:"sign"`
	Param string `json:"param"`
}

// Callbacks formats and signs Notifications (webhook.Formatter). It is built
// on the Dialect, which builds the result object.
type Callbacks struct{ h *Dialect }

// Callbacks returns the notification formatter.
func (h *Dialect) Callbacks() *Callbacks { return &Callbacks{h: h} }

// Targets sends review and outcome events to the verification's notifyUrl,
// or else to the merchant's default callback URL of the dialect.
func (c *Callbacks) Targets(ctx context.Context, ev kyc.Event) ([]webhook.Target, error) {
	return dialect.Callback{Surface: Surface, Events: NotifyEvents, Settings: c.h.merchants, ByID: c.h.core.ByID}.Target(ctx, ev)
}

// Request builds {sign, param}: param is the result object at sending time
// (so a late retry never reports an older state), with image URLs valid for
// ImageTTL, signed with the platform key.
func (c *Callbacks) Request(ctx context.Context, ev kyc.Event, t webhook.Target, _ int) (*http.Request, error) {
	pr := kyc.Principal{MerchantID: ev.MerchantID, Actor: "paycools:notify"}
	_, v, err := dialect.EventVerification(ctx, c.h.core.ByID, pr, ev)
	if err != nil {
		return nil, err
	}
	m, err := c.h.merchants.ByID(ctx, ev.MerchantID)
	if err != nil {
		return nil, err
	}
	res, err := c.h.Result(ctx, pr, m, v, true, ImageTTL)
	if err != nil {
		return nil, err
	}
	param, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	key, _, err := c.h.merchants.PlatformKey(ctx, ev.MerchantID, Surface)
	if err != nil {
		return nil, err
	}
	sig, err := signParam(key, param)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(Notification{Sign: sig, Param: string(param)})
	if err != nil {
		return nil, err
	}
	return dialect.PostJSON(ctx, t.URL, body, nil)
}

// Accepted applies the merchant's ack mode (default code0: a 2xx whose body
// is {"code": 0, ...}).
func (c *Callbacks) Accepted(t webhook.Target, status int, body []byte) bool {
	return dialect.Acknowledged(t.Ack, merchant.AckCode0, status, body)
}
