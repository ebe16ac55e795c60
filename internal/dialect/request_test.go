package dialect_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/dialect"
	"github.com/openkyc/openkyc/internal/kyc"
)

// TestEventVerification: a callback reads the verification its event
// names, as it is now; a malformed payload is an error naming the event,
// and nothing is read.
func TestEventVerification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var asked []string
	byID := func(_ context.Context, p kyc.Principal, id string) (kyc.Verification, error) {
		asked = append(asked, p.MerchantID+"/"+id)
		return kyc.Verification{ID: id, State: kyc.StateCompleted}, nil
	}
	p := kyc.Principal{MerchantID: "mer_1"}
	pl, v, err := dialect.EventVerification(ctx, byID, p, kyc.Event{ID: "evt_1", Payload: []byte(`{"verification_id":"ver_1","reference":"r1"}`)})
	require.NoError(t, err)
	require.Equal(t, "r1", pl.Reference)
	require.Equal(t, kyc.StateCompleted, v.State)
	require.Equal(t, []string{"mer_1/ver_1"}, asked)

	_, _, err = dialect.EventVerification(ctx, byID, p, kyc.Event{ID: "evt_2", Payload: []byte(`{"verification_id":`)})
	require.ErrorContains(t, err, "event evt_2 payload")
	require.Len(t, asked, 1, "nothing read for a malformed payload")
}

// TestPostJSON: a callback request is a JSON POST with the dialect's headers.
func TestPostJSON(t *testing.T) {
	t.Parallel()
	req, err := dialect.PostJSON(context.Background(), "https://merchant.example/cb", []byte(`{"a":1}`), map[string]string{"sign": "s1"})
	require.NoError(t, err)
	require.Equal(t, http.MethodPost, req.Method)
	require.Equal(t, "application/json", req.Header.Get("Content-Type"))
	require.Equal(t, "s1", req.Header.Get("sign"))
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	require.JSONEq(t, `{"a":1}`, string(body))

	_, err = dialect.PostJSON(context.Background(), "://bad", nil, nil)
	require.Error(t, err)
}
