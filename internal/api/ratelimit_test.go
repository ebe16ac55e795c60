package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestRateLimits: a merchant over its rate gets 429 rate_limited with
// Retry-After while another merchant goes on; one address over its rate is
// refused whatever the key, on the API and on the hosted page.
func TestRateLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.RateLimitMerchant, c.RateLimitMerchantBurst = 0.001, 3 })
	for range 3 {
		require.Equal(t, http.StatusOK, e.get("/v1/verifications", e.keyA).Status)
	}
	r := e.get("/v1/verifications", e.keyA)
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	require.Contains(t, string(r.Body), `"code":"rate_limited"`)
	require.Equal(t, http.StatusOK, e.get("/v1/verifications", e.keyB).Status, "another merchant has its own bucket")

	a := newEnv(t, kyctest.DB{Name: "sqlite"}, func(c *config.Config) { c.RateLimitAddress, c.RateLimitAddressBurst = 0.001, 2 })
	require.Equal(t, http.StatusUnauthorized, a.get("/v1/verifications", "okyc_wrong").Status)
	require.Equal(t, http.StatusOK, a.get("/v1/verifications", a.keyA).Status)
	r = a.get("/v1/verifications", a.keyB)
	require.Equal(t, http.StatusTooManyRequests, r.Status, "the address's bucket is empty, whatever the key")
	res, err := http.Get(a.srv.URL + "/verify/" + strings.Repeat("x", 43))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "the hosted page is limited per address too")
	require.NotEmpty(t, res.Header.Get("Retry-After"))
}
