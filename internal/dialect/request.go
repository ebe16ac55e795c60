package dialect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/verification"
)

// EventPayload decodes the payload of a lifecycle event a dialect calls
// back on.
func EventPayload(ev kyc.Event) (verification.EventPayload, error) {
	var p verification.EventPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return p, fmt.Errorf("event %s payload: %w", ev.ID, err)
	}
	return p, nil
}

// EventVerification decodes a lifecycle event and reads its verification
// as it is at sending time: deliveries run concurrently and are retried,
// so a late one must not report an older status than one sent before it.
func EventVerification(ctx context.Context, byID VerificationByID, p kyc.Principal, ev kyc.Event) (verification.EventPayload, kyc.Verification, error) {
	pl, err := EventPayload(ev)
	if err != nil {
		return pl, kyc.Verification{}, err
	}
	v, err := byID(ctx, p, pl.VerificationID)
	return pl, v, err
}

// PostJSON is a callback request: body POSTed as JSON to url with the
// headers.
func PostJSON(ctx context.Context, url string, body []byte, headers map[string]string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req, nil
}
