// Package dialect holds what the provider dialects share: finding where a
// dialect's callback goes. Each dialect lives in a subpackage.
package dialect

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/webhook"
)

// CallbackEvents are the events on which dialects call back: those where a
// provider's status changes.
var CallbackEvents = []string{"verification.submitted", "verification.completed", "verification.expired", "verification.cancelled"}

// VerificationByID reads a verification of a merchant.
type VerificationByID func(ctx context.Context, p kyc.Principal, id string) (kyc.Verification, error)

// CallbackTarget returns the callback target of an event of the surface: the
// callback URL the merchant gave when it created the verification, if any.
func CallbackTarget(ctx context.Context, ev kyc.Event, surface kyc.Surface, byID VerificationByID) ([]webhook.Target, error) {
	if !slices.Contains(CallbackEvents, ev.Type) {
		return nil, nil
	}
	var p verification.EventPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil || p.Surface != surface {
		return nil, nil
	}
	v, err := byID(ctx, kyc.Principal{MerchantID: ev.MerchantID}, p.VerificationID)
	if err != nil || v.CallbackURL == "" {
		return nil, nil
	}
	return []webhook.Target{{ID: string(surface) + ":" + v.ID, URL: v.CallbackURL}}, nil
}
