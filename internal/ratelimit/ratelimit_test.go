package ratelimit_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/ratelimit"
)

func TestLimits(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	l := ratelimit.New(ratelimit.Config{MerchantRate: 2, MerchantBurst: 3, AddressRate: 1, AddressBurst: 1}, func() time.Time { return now })

	// A merchant gets its burst, then waits for its rate.
	for range 3 {
		require.NoError(t, l.Merchant("mer_a"))
	}
	err := l.Merchant("mer_a")
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	var rl *kyc.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, "merchant", rl.Scope)
	require.Equal(t, 500*time.Millisecond, rl.RetryAfter)
	s, ok := kyc.RetryAfterSeconds(err)
	require.True(t, ok)
	require.Equal(t, 1, s, "Retry-After is whole seconds, at least 1")
	require.NoError(t, l.Merchant("mer_b"), "merchants do not share a bucket")
	now = now.Add(500 * time.Millisecond)
	require.NoError(t, l.Merchant("mer_a"), "a refused request does not use up a token")

	// Addresses come from the request; a context without one is not limited.
	r := ratelimit.WithAddress(httptest.NewRequest("GET", "/", nil))
	require.NoError(t, l.Address(r.Context()))
	require.ErrorIs(t, l.Address(r.Context()), kyc.ErrRateLimited)
	require.NoError(t, l.Address(context.Background()))
	other := httptest.NewRequest("GET", "/", nil)
	other.RemoteAddr = "192.0.2.9:1234"
	require.NoError(t, l.Address(ratelimit.WithAddress(other).Context()))

	// Idle buckets are forgotten and come back full.
	now = now.Add(time.Hour)
	for range 3 {
		require.NoError(t, l.Merchant("mer_a"))
	}

	// Off: a zero rate, or no limiter at all.
	off := ratelimit.New(ratelimit.Config{}, nil)
	for range 1000 {
		require.NoError(t, off.Merchant("m"))
	}
	var none *ratelimit.Limiter
	require.NoError(t, none.Merchant("m"))
	require.NoError(t, none.Address(r.Context()))
}
