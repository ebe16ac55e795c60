package level_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
	"github.com/openkyc/openkyc/internal/level"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/store/storetest"
)

// TestLevels: a merchant has the built-in levels until it stores its own;
// each change bumps the version and is audited; an invalid level is refused
// with the field named and nothing stored; another merchant sees none of it.
func TestLevels(t *testing.T) {
	t.Parallel()
	kyctest.ForEachDB(t, func(t *testing.T, db kyctest.DB) {
		ctx := context.Background()
		s := storetest.Open(t, db)
		ids := storetest.Merchants(t, s, "L1", "L2")
		p, other := kyc.Principal{MerchantID: ids[0], Actor: "test"}, kyc.Principal{MerchantID: ids[1], Actor: "test"}
		svc := level.New(s, nil, nil)

		def, err := svc.Get(ctx, p.MerchantID, policy.Default().Name)
		require.NoError(t, err)
		require.Equal(t, policy.Default().Name, def.Name)
		_, err = svc.Get(ctx, p.MerchantID, "strict")
		require.True(t, kyc.IsNotFound(err), "%v", err)
		ls, err := svc.List(ctx, p)
		require.NoError(t, err)
		require.Len(t, ls, 1, "the default only")

		strict := policy.Default()
		strict.Name = "strict"
		for i := 1; i <= 2; i++ {
			saved, err := svc.Put(ctx, p, strict)
			require.NoError(t, err)
			require.Equal(t, i, saved.Version)
		}
		got, err := svc.Get(ctx, p.MerchantID, "strict")
		require.NoError(t, err)
		require.Equal(t, 2, got.Version)
		ls, err = svc.List(ctx, p)
		require.NoError(t, err)
		require.Len(t, ls, 2)
		audit, err := s.AuditBySubject(ctx, p.MerchantID, []string{"strict"}, 10)
		require.NoError(t, err)
		require.Len(t, audit, 2)
		require.Equal(t, "level.put", audit[0].Action)

		bad := strict
		bad.Name = "bad"
		bad.MaxAttempts = 0
		_, err = svc.Put(ctx, p, bad)
		var fe *kyc.FieldError
		require.ErrorAs(t, err, &fe)
		_, err = svc.Get(ctx, p.MerchantID, "bad")
		require.True(t, kyc.IsNotFound(err), "nothing stored")

		_, err = svc.Get(ctx, other.MerchantID, "strict")
		require.True(t, kyc.IsNotFound(err), "another merchant's level")
	})
}
