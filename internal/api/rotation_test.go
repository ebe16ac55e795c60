package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestAPIKeyRotation: a rotated-out key keeps working for the overlap and
// stops with a rotation without one; the other merchant is untouched.
func TestAPIKeyRotation(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := principalOf(t, e, e.keyA)
		status := func(key string) int { return e.get("/v1/verifications", key).Status }

		k1, err := e.app.Merchants.RotateAPIKey(ctx, p.MerchantID, time.Hour, "test")
		require.NoError(t, err)
		require.EqualValues(t, 1, k1.Expired)
		require.Equal(t, http.StatusOK, status(k1.APIKey), "the new key works at once")
		require.Equal(t, http.StatusOK, status(e.keyA), "the old key works during the overlap")

		k2, err := e.app.Merchants.RotateAPIKey(ctx, p.MerchantID, 0, "test")
		require.NoError(t, err)
		require.EqualValues(t, 2, k2.Expired)
		require.Equal(t, http.StatusOK, status(k2.APIKey))
		require.Equal(t, http.StatusUnauthorized, status(k1.APIKey), "without overlap the previous keys stop at once")
		require.Equal(t, http.StatusUnauthorized, status(e.keyA))
		require.Equal(t, http.StatusOK, status(e.keyB), "another merchant's key is untouched")

		_, err = e.app.Merchants.RotateAPIKey(ctx, p.MerchantID, 31*24*time.Hour, "test")
		require.ErrorContains(t, err, "overlap")
		_, err = e.app.Merchants.RotateAPIKey(ctx, "mer_00000000000000000000000000", time.Hour, "test")
		require.Error(t, err)

		entries, err := e.app.Store.AuditBySubject(ctx, p.MerchantID, []string{k1.KeyID, k2.KeyID}, 10)
		require.NoError(t, err)
		require.Len(t, entries, 2)
		require.Equal(t, "api_key.rotate", entries[0].Action)
	})
}
