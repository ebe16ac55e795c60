package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/jobs"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/webhook"
)

// The Standard Webhooks vector of ../shared/vectors/signatures.json
// (native_webhook), computed by an independent implementation.
const (
	vecSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	vecID     = "msg_2Kx9"
	vecTS     = 1732988442
	vecBody   = `{"type":"verification.completed","data":{"id":"ver_1"}}`
	vecSig    = "v1,vfN3LmK290Ia0wr2JcrbrySFzxHBv6K6Y2BV3pT7dnM="
)

func TestSignMatchesVector(t *testing.T) {
	t.Parallel()
	sig, err := webhook.Sign(vecID, time.Unix(vecTS, 0), []byte(vecBody), vecSecret)
	require.NoError(t, err)
	require.Equal(t, vecSig, sig)
	require.NoError(t, webhook.Verify(vecSecret, vecID, "1732988442", vecSig, []byte(vecBody), time.Unix(vecTS+60, 0), 5*time.Minute))
}

// TestSharedVectors reads the project's shared vectors when the checkout has
// them beside it (as CI does).
func TestSharedVectors(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../../shared/vectors/signatures.json")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("shared vectors not beside the checkout")
	}
	require.NoError(t, err)
	var all struct {
		Native map[string]string `json:"native_webhook"`
	}
	require.NoError(t, json.Unmarshal(b, &all))
	require.NotEmpty(t, all.Native)
	for _, v := range []map[string]string{all.Native} {
		var ts int64
		require.NoError(t, json.Unmarshal([]byte(v["webhook-timestamp"]), &ts))
		sig, err := webhook.Sign(v["webhook-id"], time.Unix(ts, 0), []byte(v["body"]), v["secret"])
		require.NoError(t, err)
		require.Equal(t, v["webhook-signature"], sig)
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	now := time.Unix(vecTS, 0)
	require.ErrorIs(t, webhook.Verify(vecSecret, vecID, "1732988442", vecSig, []byte(vecBody+" "), now, time.Minute), webhook.ErrNoMatch)
	require.ErrorIs(t, webhook.Verify(vecSecret, "msg_other", "1732988442", vecSig, []byte(vecBody), now, time.Minute), webhook.ErrNoMatch)
	require.ErrorIs(t, webhook.Verify(vecSecret, vecID, "1732988442", vecSig, []byte(vecBody), now.Add(10*time.Minute), 5*time.Minute), webhook.ErrTimestamp)
	require.ErrorIs(t, webhook.Verify(vecSecret, vecID, "soon", vecSig, []byte(vecBody), now, time.Minute), webhook.ErrTimestamp)
	other := webhook.NewSecret()
	both, err := webhook.Sign(vecID, now, []byte(vecBody), other, vecSecret)
	require.NoError(t, err)
	require.NoError(t, webhook.Verify(vecSecret, vecID, "1732988442", both, []byte(vecBody), now, time.Minute), "either of two signatures verifies")
}

func TestValidateURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := webhook.URLValidator{Lookup: kyctest.Lookup}
	for _, u := range []string{"https://hooks.example.com/kyc", "https://203.0.113.7:8443/x?y=1"} {
		_, err := v.Validate(ctx, u, false)
		require.NoError(t, err, u)
	}
	for _, u := range []string{"http://hooks.example.com/", "https://127.0.0.1/", "https://10.1.2.3/", "https://169.254.169.254/latest",
		"https://[::1]/", "https://localhost/", "https://user:pw@example.com/", "ftp://example.com", "/relative", "https://192.168.1.1/",
		"https://[fd00::1]/", "https://100.64.1.1/"} {
		_, err := v.Validate(ctx, u, false)
		require.Error(t, err, u)
	}
	_, err := v.Validate(ctx, "http://127.0.0.1:9000/hook", true)
	require.NoError(t, err, "allowed for development")
}

func TestClientRefusesPrivateAddressesAndRedirects(t *testing.T) {
	t.Parallel()
	hit := make(chan struct{}, 1)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit <- struct{}{} }))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusFound)
	}))
	defer redirect.Close()

	_, err := webhook.NewClient(time.Second, false).Get(target.URL)
	require.ErrorIs(t, err, webhook.ErrForbiddenTarget, "loopback refused at connect time")

	res, err := webhook.NewClient(time.Second, true).Get(redirect.URL)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode, "redirects are not followed")
	select {
	case <-hit:
		t.Fatal("the redirect target was contacted")
	default:
	}
}

func TestDeliverySchedule(t *testing.T) {
	t.Parallel()
	svc := webhook.New(nil, nil, nil, webhook.Config{})
	var deliver jobs.Kind
	for _, k := range svc.Kinds() {
		if k.Name == jobs.KindDeliver {
			deliver = k
		}
	}
	require.Equal(t, 7, deliver.MaxAttempts, "six retries, then dead")
	var got []time.Duration
	for attempt := 1; attempt < deliver.MaxAttempts; attempt++ {
		got = append(got, deliver.Backoff(attempt))
	}
	require.Equal(t, []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour}, got)
	require.Equal(t, 15*time.Second, deliver.Timeout, "5 s request timeout plus margin")
}
