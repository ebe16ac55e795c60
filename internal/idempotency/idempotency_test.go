package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/idempotency"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/store/storetest"
)

// TestRecords: a key is reserved once, completed, read back within its
// TTL and forgotten after it; a reservation nobody completed is freed after
// AbandonedAfter; keys are per merchant.
func TestRecords(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		s := storetest.Open(t, db)
		ms := storetest.Merchants(t, s, "I1", "I2")
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		svc := idempotency.New(s, func() time.Time { return now })

		ok, err := svc.Reserve(ctx, ms[0], "k1", "POST /v1/applicants")
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = svc.Reserve(ctx, ms[0], "k1", "POST /v1/applicants")
		require.NoError(t, err)
		require.False(t, ok, "taken")
		ok, err = svc.Reserve(ctx, ms[1], "k1", "POST /v1/applicants")
		require.NoError(t, err)
		require.True(t, ok, "keys are per merchant")

		rec, err := svc.Get(ctx, ms[0], "k1")
		require.NoError(t, err)
		require.Zero(t, rec.Status, "in progress")
		require.NoError(t, svc.Complete(ctx, idempotency.Record{MerchantID: ms[0], Key: "k1", Route: "POST /v1/applicants", RequestHash: "h",
			Status: 201, ContentType: "application/json", Body: []byte("sealed")}))
		rec, err = svc.Get(ctx, ms[0], "k1")
		require.NoError(t, err)
		require.Equal(t, 201, rec.Status)
		require.Equal(t, []byte("sealed"), rec.Body)

		now = now.Add(idempotency.AbandonedAfter + time.Minute)
		_, err = svc.Get(ctx, ms[1], "k1")
		require.ErrorIs(t, err, kyc.ErrNotFound, "a reservation never completed is freed")
		ok, err = svc.Reserve(ctx, ms[1], "k1", "POST /v1/applicants")
		require.NoError(t, err)
		require.True(t, ok, "and can be taken again")
		_, err = svc.Get(ctx, ms[0], "k1")
		require.NoError(t, err, "a completed record outlives AbandonedAfter")

		now = now.Add(idempotency.TTL)
		_, err = svc.Get(ctx, ms[0], "k1")
		require.ErrorIs(t, err, kyc.ErrNotFound, "a completed record past its TTL, before any purge")
		require.NoError(t, svc.Complete(ctx, idempotency.Record{MerchantID: ms[1], Key: "k1", Route: "POST /v1/applicants", RequestHash: "h",
			Status: 201, ContentType: "application/json", Body: []byte("sealed")}))
		_, err = svc.Get(ctx, ms[1], "k1")
		require.NoError(t, err, "completed exactly TTL ago: still remembered")
		n, err := svc.Purge(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "nothing is older than the TTL: the first record went when it was read")
		now = now.Add(time.Minute)
		n, err = svc.Purge(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n, "the purge removes what is past the TTL")
	})
}
